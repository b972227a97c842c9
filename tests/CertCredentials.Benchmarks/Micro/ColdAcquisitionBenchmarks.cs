using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Identity;
using BenchmarkDotNet.Attributes;
using CertCredentials.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Client;
using AzureAccessToken = Azure.Core.AccessToken;
using AzureTokenRequestContext = Azure.Core.TokenRequestContext;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// One token acquisition that bypasses the cache: assertion built and signed (RSA-2048), POSTed over a pooled HTTPS
/// connection to the real loopback token service (which verifies it and signs an access token), answer read. The
/// baseline is the floor: a hand-written JWT signed with <see cref="RSA.SignData(byte[], HashAlgorithmName, RSASignaturePadding)"/>
/// and the same POST on the same kind of HttpClient, with nothing around it.
/// </summary>
/// <remarks>
/// Cache bypass: CertCredentials <c>RefreshTokenAsync()</c>; MSAL <c>WithForceRefresh(true)</c>; Identity.Web
/// <c>AcquireTokenOptions.ForceRefresh</c> (MSAL's, underneath); Azure.Identity has no force-refresh, so it answers a
/// claims challenge (which MSAL never serves from the cache).
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory("cold")]
public class ColdAcquisitionBenchmarks
{
    private const string Claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1700000000\"}}}";
    private static readonly string[] Scopes = [Identities.Scope];

    private LoopbackEndpoint? _endpoint;
    private InProcessTokenEndpoint? _inProcess;
    private HttpClient _http = null!;
    private Uri _tokenEndpoint = null!;
    private RSA _rawKey = null!;
    private string _rawHeader = string.Empty;
    private CertificateClientCredential _ours = null!;
    private IConfidentialClientApplication _msal = null!;
    private ClientCertificateCredential _azure = null!;
    private AzureTokenRequestContext _azureContext;
    private ServiceProvider _identityWebServices = null!;
    private IAuthorizationHeaderProvider _identityWeb = null!;

    /// <summary>
    /// For the interleaved scenario's client-side view: an in-process endpoint that answers at once (and verifies
    /// nothing) instead of the loopback service. BenchmarkDotNet always runs the loopback one.
    /// </summary>
    internal bool InProcessEndpoint { get; init; }

    [GlobalSetup]
    public void Setup()
    {
        Uri authorityHost;
        if (InProcessEndpoint)
        {
            _inProcess = new InProcessTokenEndpoint();
            _http = new HttpClient(_inProcess);
            authorityHost = Clients.EntraHost;
        }
        else
        {
            _endpoint = LoopbackEndpoint.StartAsync(TimeSpan.Zero).GetAwaiter().GetResult();
            _http = _endpoint.CreateHttpClient();
            authorityHost = _endpoint.AuthorityHost;
        }

        _tokenEndpoint = new Uri(authorityHost, $"{Identities.Tenant}/oauth2/v2.0/token");
        _rawKey = RSA.Create();
        _rawKey.ImportFromPem(Identities.KeyPem);
        var x5tS256 = Base64Url.EncodeToString(SHA256.HashData(Identities.Certificate.RawData));
        _rawHeader = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"{x5tS256}\"}}"));
        _ours = Clients.CreateCertCredential(authorityHost, Identities.Tenant, Identities.Scope, _http);
        _msal = Clients.CreateMsal(authorityHost, Identities.Tenant, _http);
        _azure = Clients.CreateAzureIdentity(authorityHost, Identities.Tenant, _http);
        _azureContext = new AzureTokenRequestContext(Scopes, claims: Claims);
        var inProcess = _inProcess;
        var https = _endpoint?.HttpsCertificate;
        _identityWebServices = IdentityWeb.Create(authorityHost, inProcess is null ? () => Clients.LoopbackHandler(https) : () => new NonDisposingHandler(inProcess));
        _identityWeb = _identityWebServices.GetRequiredService<IAuthorizationHeaderProvider>();

        // Each call must reach the service and be accepted by it (the service verifies every assertion).
        int Count() => _endpoint?.TokenRequestCount ?? _inProcess!.TokenRequests;
        var before = Count();
        _ = RawSignAndPost().GetAwaiter().GetResult();
        _ = CertCredentials().GetAwaiter().GetResult();
        _ = Msal().GetAwaiter().GetResult();
        _ = AzureIdentity().AsTask().GetAwaiter().GetResult();
        _ = IdentityWebHeader().GetAwaiter().GetResult();
        _ = CertCredentials().GetAwaiter().GetResult();
        _ = Msal().GetAwaiter().GetResult();
        _ = AzureIdentity().AsTask().GetAwaiter().GetResult();
        _ = IdentityWebHeader().GetAwaiter().GetResult();
        Check.That(Count() - before == 9, $"cold setup: 9 acquisitions sent {Count() - before} token requests");
        Check.That(_endpoint is null || _endpoint.Service.Requests.All(r => r.StatusCode == 200), "cold setup: the service refused a request");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _identityWebServices.Dispose();
        _rawKey.Dispose();
        _http.Dispose();
        _endpoint?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The floor: sign, post, read; no cache, no retry, no validation beyond the status.</summary>
    [Benchmark(Baseline = true, Description = "raw RSA.SignData + POST")]
    public async Task<string> RawSignAndPost()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var client = Identities.ClientId;
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $"{{\"aud\":\"{_tokenEndpoint.AbsoluteUri}\",\"iss\":\"{client}\",\"sub\":\"{client}\",\"jti\":\"{Guid.NewGuid()}\",\"nbf\":{now},\"iat\":{now},\"exp\":{now + 600}}}"));
        var signingInput = _rawHeader + "." + payload;
        var signature = _rawKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var content = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", client),
            new("scope", Identities.Scope),
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", signingInput + "." + Base64Url.EncodeToString(signature)),
        ]);
        using var response = await _http.PostAsync(_tokenEndpoint, content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"raw request refused: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    [Benchmark(Description = "CertCredentials RefreshTokenAsync")]
    public Task<AccessToken> CertCredentials() => _ours.RefreshTokenAsync();

    [Benchmark(Description = "MSAL AcquireTokenForClient, force refresh")]
    public Task<AuthenticationResult> Msal() => _msal.AcquireTokenForClient(Scopes).WithForceRefresh(true).ExecuteAsync();

    [Benchmark(Description = "Azure.Identity GetTokenAsync, claims")]
    public ValueTask<AzureAccessToken> AzureIdentity() => _azure.GetTokenAsync(_azureContext, CancellationToken.None);

    [Benchmark(Description = "Identity.Web CreateAuthorizationHeaderForAppAsync, force refresh")]
    public Task<string> IdentityWebHeader() => _identityWeb.CreateAuthorizationHeaderForAppAsync(Identities.Scope, IdentityWeb.ForceRefresh);
}
