using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CertCredentials.DependencyInjection;

/// <summary>
/// One credential per registered name, for the container's lifetime. A credential is built while its options are
/// validated at start (so a bad key stops the host at start, and the key is read once), or on first use.
/// </summary>
internal sealed class CredentialRegistry : IDisposable
{
    /// <summary>The named HttpClient used for token requests; users may add handlers (a proxy) to it.</summary>
    public const string TokenEndpointClientName = "CertCredentials.TokenEndpoint";

    private readonly ConcurrentDictionary<string, Lazy<CertificateClientCredential>> _credentials = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<IDisposable> _changeSubscriptions = [];
    private readonly IServiceProvider _services;
    private readonly HashSet<string> _registeredNames;

    public CredentialRegistry(IServiceProvider services, IEnumerable<CredentialRegistration> registrations)
    {
        _services = services;
        _registeredNames = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
    }

    public bool IsRegistered(string name) => _registeredNames.Contains(name);

    /// <summary>The registry, or a clear error when no credential was registered at all.</summary>
    public static CredentialRegistry From(IServiceProvider services) =>
        services.GetService<CredentialRegistry>()
        ?? throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
            "No certificate credential is registered. Call services.AddCertificateClientCredential(...) before attaching AddCertificateClientCredentialHandler().");

    /// <summary>The credential of <paramref name="name"/>; validates its options (and so builds it) on first use.</summary>
    public CertificateClientCredential Get(string name)
    {
        if (!IsRegistered(name))
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                name.Length == 0
                    ? "No certificate credential is registered. Call services.AddCertificateClientCredential(...) in Program.cs."
                    : $"No certificate credential named '{name}' is registered. Call services.AddCertificateClientCredential(\"{name}\", ...) in Program.cs, or use the name it was registered with.");
        }

        if (_credentials.TryGetValue(name, out var existing))
        {
            return existing.Value;
        }

        // Reading the options runs validation, which builds the credential through GetOrCreate.
        var options = _services.GetRequiredService<IOptionsMonitor<CertificateClientCredentialOptions>>().Get(name);
        return GetOrCreate(name, options);
    }

    /// <summary>Builds the credential for <paramref name="name"/> from these options, once.</summary>
    public CertificateClientCredential GetOrCreate(string name, CertificateClientCredentialOptions options)
    {
        var lazy = _credentials.GetOrAdd(name, _ => new Lazy<CertificateClientCredential>(() => Create(name, options), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Not cached: a failed build (bad key) must be retried with corrected options, not remembered.
            _credentials.TryRemove(new KeyValuePair<string, Lazy<CertificateClientCredential>>(name, lazy));
            throw;
        }
    }

    public bool IsBuilt(string name) => _credentials.TryGetValue(name, out var lazy) && lazy.IsValueCreated;

    public void Dispose()
    {
        foreach (var subscription in _changeSubscriptions)
        {
            subscription.Dispose();
        }

        foreach (var lazy in _credentials.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }

        _credentials.Clear();
    }

    private CertificateClientCredential Create(string name, CertificateClientCredentialOptions options)
    {
        var httpClient = _services.GetRequiredService<IHttpClientFactory>().CreateClient(TokenEndpointClientName);
        var timeProvider = _services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = _services.GetService<ILoggerFactory>()?.CreateLogger("CertCredentials");
        // One registered store (AddCertificateClientCredentialRedisCache) serves every credential of the container.
        var credential = new CertificateClientCredential(options, httpClient, timeProvider, logger, _services.GetService<SharedTokenStore>());

        // Same object, new key: a change of this credential's options (reloadable appsettings.json, Key Vault or App
        // Configuration providers) reaches the running singleton.
        var monitor = _services.GetService<IOptionsMonitor<CertificateClientCredentialOptions>>();
        if (monitor?.OnChange((changed, changedName) =>
            {
                if (string.Equals(changedName ?? Options.DefaultName, name, StringComparison.Ordinal))
                {
                    credential.Reconfigure(changed);
                }
            }) is { } subscription)
        {
            _changeSubscriptions.Add(subscription);
        }

        return credential;
    }
}
