using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Security;

/// <summary>
/// Drives every path that produces text (key loading of every fixture, right and wrong passphrases, token success,
/// faults and refusals, the handler's 401 paths, health) with Trace logging, then scans all logs, every exception's
/// ToString() and every public type's ToString() for private key bodies, passphrases, assertions and access tokens.
/// </summary>
public sealed class SecretSweepTests
{
    private const string WrongPassphrase = "Wrong-Passphrase-7#";

    private readonly List<string> _texts = [];
    private readonly List<object> _instances = [];
    private readonly LogCapture _logs = new();

    private void Capture(Exception e)
    {
        _texts.Add(e.ToString());
        _instances.Add(e);
    }

    [Fact]
    public async Task No_secret_appears_in_any_log_message_or_ToString()
    {
        var keyFiles = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"))
            .Where(f => !f.EndsWith(".sh", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal) && !f.Contains("thumbprints", StringComparison.Ordinal) && !f.EndsWith("editorconfig", StringComparison.Ordinal))
            .ToList();

        // 1. Every fixture as key input, with no, the right and a wrong passphrase; as text and as a file.
        foreach (var file in keyFiles)
        {
            foreach (var passphrase in new[] { null, Fixture.Passphrase, WrongPassphrase })
            {
                Try(o => { o.PrivateKeyPath = file; o.PrivateKeyPassphrase = passphrase; o.CertificatePath = null; o.CertificateThumbprint = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"]; });
                if (!file.EndsWith(".pfx", StringComparison.Ordinal) && !file.EndsWith(".der", StringComparison.Ordinal))
                {
                    Try(o => { o.PrivateKeyPath = null; o.PrivateKey = File.ReadAllText(file); o.PrivateKeyPassphrase = passphrase; o.CertificatePath = Fixture.Path("rsa2048.crt.pem"); });
                }
            }

            // A key pasted where a thumbprint or certificate belongs.
            if (!file.EndsWith(".pfx", StringComparison.Ordinal) && !file.EndsWith(".der", StringComparison.Ordinal))
            {
                Try(o => { o.CertificatePath = null; o.CertificateThumbprint = File.ReadAllText(file); });
                Try(o => { o.CertificatePath = null; o.Certificate = File.ReadAllText(file); });
            }
        }

        // 2. Tokens: success, retries, refusals, odd bodies, the handler's 401 and CAE paths, health.
        var tokens = new List<string>();
        await using (var resource = await LocalResource.StartAsync(
            o => { o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem"); o.PrivateKeyPassphrase = Fixture.Passphrase; o.EnableContinuousAccessEvaluation = true; },
            s => s.AddLogging(b => b.AddProvider(_logs)).AddHealthChecks().AddCertificateClientCredentialCheck()))
        {
            var credential = resource.Services.GetRequiredService<CertificateClientCredential>();
            _instances.Add(credential);
            var token = await credential.GetTokenAsync();
            tokens.Add(token.Token);
            _instances.Add(token);
            _instances.Add(credential.Thumbprint);
            _instances.Add(credential.ForTenant(credential.TenantId, credential.Scope));
            tokens.Add(credential.CreateClientAssertion());

            await resource.Client.GetAsync(new Uri("hello", UriKind.Relative));
            resource.Api.RejectNextWithInvalidToken(1);
            await resource.Client.GetAsync(new Uri("hello", UriKind.Relative));
            resource.Entra.Service.RevokeTokens(TestOptions.ClientId);
            await resource.Client.GetAsync(new Uri("hello", UriKind.Relative));
            tokens.Add((await credential.GetTokenAsync()).Token);

            foreach (var fault in new[]
            {
                new TokenFault { StatusCode = 503, Times = 4 },
                new TokenFault { StatusCode = 429, RetryAfter = "0", Times = 4 },
                new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700027: bad. Trace ID: 1\",\"error_codes\":[700027],\"trace_id\":\"t\",\"correlation_id\":\"c\"}" },
                new TokenFault { StatusCode = 502, ContentType = "text/html", Body = "<html>gateway</html>", Times = 4 },
                new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"access_token\":\"abc\"", Times = 4 },
                new TokenFault { StatusCode = 200, ResetConnection = true, Times = 4 },
            })
            {
                resource.Entra.Service.EnqueueFault(fault);
                try
                {
                    tokens.Add((await credential.RefreshTokenAsync()).Token);
                }
                catch (CertificateCredentialException e)
                {
                    Capture(e);
                }
            }

            var report = await resource.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            _texts.AddRange(report.Entries.Values.Select(e => e.Description + string.Join(",", e.Data.Select(d => d.Key + "=" + d.Value))));

            var options = TestOptions.Rsa2048(o => { o.PrivateKey = Fixture.Text("rsa2048.pkcs8.pem"); o.PrivateKeyPath = null; o.PrivateKeyPassphrase = Fixture.Passphrase; });
            _instances.Add(options);
            _instances.Add(new MemoryTokenStore());
            _instances.Add(new TokenEndpointException(CertificateCredentialFailure.TokenRequestRejected, "m", 400, "e", "d", [1], "c", "t"));

            tokens.AddRange(resource.Entra.Service.Requests.Where(r => r.Form.ContainsKey("client_assertion")).Select(r => r.Form["client_assertion"]));
        }

        // 3. ClientCertificate from every fixture, a signer that fails with a secret-looking message, a source whose
        // reloads fail (their Error events), a certificate refused by Entra (the reload it triggers).
        foreach (var file in keyFiles)
        {
            foreach (var passphrase in new[] { null, Fixture.Passphrase, WrongPassphrase })
            {
                TryCertificate(() => ClientCertificate.FromPkcs12(File.ReadAllBytes(file), passphrase));
                if (!file.EndsWith(".pfx", StringComparison.Ordinal) && !file.EndsWith(".der", StringComparison.Ordinal))
                {
                    TryCertificate(() => ClientCertificate.FromPem(File.ReadAllText(file) + Fixture.Text("rsa2048.crt.pem"), passphrase));
                }
            }
        }

        await using (var entra = await LocalEntra.StartAsync(new FakeTimeProvider(TestClock.Start)))
        {
            using var signer = new Lifecycle.NonExportingSigner();
            entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, signer.Certificate, LocalEntra.Resource);
            var fromSigner = ClientCertificate.FromSigner(signer.Certificate, signer);
            _instances.Add(fromSigner);
            _instances.Add(signer);
            var source = new Lifecycle.ScriptedSource(() => fromSigner);
            _instances.Add(source);
            var credential = entra.Credential(o => { o.PrivateKeyPath = null; o.CertificatePath = null; o.CertificateSource = source; }, logger: _logs.Logger());
            _texts.Add(credential.ToString());
            tokens.Add((await credential.GetTokenAsync()).Token);
            signer.Mode = Lifecycle.NonExportingSigner.Behaviour.Throw;
            try
            {
                await credential.RefreshTokenAsync();
            }
            catch (CertificateCredentialException e)
            {
                // A collaborator's own message stays in its InnerException, never in ours or in a log.
                e.Message.Should().NotContain("s3cr3t");
                Capture(e);
            }

            source.Answer = () => throw new InvalidOperationException("vault said: s3cr3t");
            for (var i = 0; i < 3; i++)
            {
                await credential.Reloader.CheckAsync(CertCredentials.Lifecycle.ReloadTrigger.Interval);
            }

            credential.CertificateReloadFailure.Should().NotBeNull();
            credential.CertificateReloadFailure!.Message.Should().NotContain("s3cr3t");
            _logs.AllText().Should().NotContain("s3cr3t");
            Capture(credential.CertificateReloadFailure);
            tokens.AddRange(entra.Service.Requests.Where(r => r.Form.ContainsKey("client_assertion")).Select(r => r.Form["client_assertion"]));
        }

        // 4. Keys and passphrases pasted into every option (the easy mistake: CertCredentials__PrivateKeyPath set to the
        // secret's value): the credential's refusal, the options' ToString(), the validation messages, and a host
        // bound to configuration that fails to start, with its "Hosting failed to start" log.
        await SweepPastedSecretsAsync(keyFiles);

        // Every public type that has instances is covered: a new one must be added here.
        var assembly = typeof(CertificateClientCredential).Assembly;
        var instantiable = assembly.GetExportedTypes().Where(t => !t.IsEnum && !(t.IsAbstract && t.IsSealed) && !t.IsInterface).ToList();
        instantiable.Where(t => !_instances.Any(t.IsInstanceOfType)).Should().BeEmpty("every public type's ToString() is swept");

        _texts.AddRange(_instances.Select(i => i.ToString() ?? string.Empty));
        _texts.Add(_logs.AllText());
        _logs.Entries.Should().NotBeEmpty();

        var keyBodies = keyFiles.Where(f => f.EndsWith(".pem", StringComparison.Ordinal) || f.EndsWith(".txt", StringComparison.Ordinal))
            .Select(File.ReadAllText).Where(t => t.Contains("PRIVATE KEY", StringComparison.Ordinal) || t.Length > 1000 && !t.Contains("CERTIFICATE", StringComparison.Ordinal));
        string[] secrets = [.. keyBodies, Fixture.Passphrase, WrongPassphrase, .. tokens.Where(t => t.Length > 20)];
        secrets.Length.Should().BeGreaterThan(20);
        foreach (var text in _texts)
        {
            SecretScan.AssertClean(text, secrets);
        }
    }

    /// <summary>Every string or URL option of <see cref="CertificateClientCredentialOptions"/>: a new one is swept without a change here.</summary>
    private static IEnumerable<System.Reflection.PropertyInfo> TextOptions() =>
        typeof(CertificateClientCredentialOptions).GetProperties()
            .Where(p => p.CanWrite && (p.PropertyType == typeof(string) || p.PropertyType == typeof(Uri)));

    private async Task SweepPastedSecretsAsync(IEnumerable<string> keyFiles)
    {
        var pasted = keyFiles.Where(f => !f.EndsWith(".pfx", StringComparison.Ordinal) && !f.EndsWith(".der", StringComparison.Ordinal))
            .Select(File.ReadAllText).Where(t => t.Contains("PRIVATE KEY", StringComparison.Ordinal) || t.Length > 1000 && !t.Contains("CERTIFICATE", StringComparison.Ordinal))
            .Concat([Fixture.Passphrase, WrongPassphrase, Fixture.Passphrase + "\n", " " + WrongPassphrase + " "])
            .ToList();
        pasted.Count.Should().BeGreaterThan(20);

        var options = TextOptions().ToList();
        options.Select(p => p.Name).Should().Contain(["TenantId", "ClientId", "Scope", "PrivateKeyPath", "CertificatePath", "CertificateThumbprint", "AuthorityHost", "TokenEndpoint", "SigningAlgorithm"]);
        foreach (var secret in pasted)
        {
            foreach (var option in options)
            {
                var configured = TestOptions.Rsa2048(o => Paste(o, option, secret));
                _texts.Add(configured.ToString());
                _texts.AddRange(global::CertCredentials.Configuration.CredentialOptionsValidator.Validate(configured));
                Try(o => Paste(o, option, secret));
            }
        }

        // The host binds the same mistakes from configuration (environment variables, appsettings.json) and refuses to
        // start: its exception and its logs are swept. A few key forms suffice here; the loop above covers every one.
        string[] hostSecrets = [Fixture.Text("rsa2048.pkcs8.pem"), Fixture.Text("rsa2048.pkcs8.escaped.txt"), Fixture.Text("rsa2048.pfx.b64.txt"), Fixture.Passphrase, WrongPassphrase];
        foreach (var secret in hostSecrets)
        {
            foreach (var option in options)
            {
                var values = new Dictionary<string, string?>
                {
                    ["CertCredentials:TenantId"] = TestOptions.TenantId,
                    ["CertCredentials:ClientId"] = TestOptions.ClientId,
                    ["CertCredentials:Scope"] = TestOptions.Scope,
                    ["CertCredentials:PrivateKeyPath"] = Fixture.Path("rsa2048.pkcs8.pem"),
                    ["CertCredentials:CertificatePath"] = Fixture.Path("rsa2048.crt.pem"),
                };
                values[$"CertCredentials:{option.Name}"] = secret;
                if (option.Name is "PrivateKey" or "Certificate")
                {
                    values[$"CertCredentials:{option.Name}Path"] = null;
                }

                var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings());
                builder.Configuration.AddInMemoryCollection(values);
                builder.Logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace);
                builder.Services.AddCertificateClientCredential(builder.Configuration.GetSection("CertCredentials"));
                try
                {
                    using var host = builder.Build();
                    try
                    {
                        await host.StartAsync();
                        _texts.Add(host.Services.GetRequiredService<CertificateClientCredential>().ToString());
                        await host.StopAsync();
                    }
                    catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or CertificateCredentialException or InvalidOperationException)
                    {
                        _texts.Add(e.ToString());
                    }
                }
                catch (InvalidOperationException e)
                {
                    // A value the binder cannot convert (a URL option).
                    _texts.Add(e.ToString());
                }
            }
        }

        _logs.Entries.Should().Contain(e => e.Message.Contains("Hosting failed to start", StringComparison.Ordinal), "the host's own failure log is swept");
    }

    private static void Paste(CertificateClientCredentialOptions options, System.Reflection.PropertyInfo option, string secret)
    {
        if (option.PropertyType == typeof(Uri))
        {
            // As the configuration binder makes it (UriTypeConverter: relative or absolute).
            option.SetValue(options, Uri.TryCreate(secret, UriKind.RelativeOrAbsolute, out var uri) ? uri : null);
        }
        else
        {
            option.SetValue(options, secret);
        }

        if (option.Name is "PrivateKey" or "Certificate")
        {
            typeof(CertificateClientCredentialOptions).GetProperty(option.Name + "Path")!.SetValue(options, null);
        }
    }

    private void TryCertificate(Func<ClientCertificate> read)
    {
        try
        {
            var certificate = read();
            _instances.Add(certificate);
            _texts.Add(certificate.ToString());
        }
        catch (CertificateCredentialException e)
        {
            Capture(e);
        }
    }

    private void Try(Action<CertificateClientCredentialOptions> change)
    {
        try
        {
            using var credential = new CertificateClientCredential(TestOptions.Rsa2048(change), logger: _logs.Logger());
            _instances.Add(credential);
            _texts.Add(credential.ToString());
        }
        catch (CertificateCredentialException e)
        {
            Capture(e);
        }
    }
}
