using System.Text;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CertCredentials.Tests.DependencyInjection;

/// <summary>Options come from appsettings.json and from environment variables, a pasted PEM with literal \n included.</summary>
public sealed class ConfigurationBindingTests
{
    [Fact]
    public async Task Binds_from_appsettings_json()
    {
        await using var entra = await LocalEntra.StartAsync();
        var json = $$"""
        {
          "CertCredentials": {
            "TenantId": "{{TestOptions.TenantId}}",
            "ClientId": "{{TestOptions.ClientId}}",
            "Scope": "https://graph.microsoft.com/.default",
            "PrivateKeyPath": "{{Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem")}}",
            "PrivateKeyPassphrase": "{{Fixture.Passphrase}}",
            "CertificateThumbprint": "{{Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_colons"]}}",
            "TokenEndpoint": "{{entra.TokenEndpoint}}",
            "SigningAlgorithm": "PS256",
            "ExpirationMargin": "00:02:00",
            "MaxRetries": 1
          }
        }
        """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(configuration.GetSection("CertCredentials"));
        await using var provider = services.BuildServiceProvider();

        var credential = provider.GetRequiredService<CertificateClientCredential>();
        credential.TokenEndpoint.Should().Be(entra.TokenEndpoint);
        credential.Thumbprint.Algorithm.Should().Be(ThumbprintAlgorithm.Sha1);
        (await credential.GetTokenAsync()).Token.Should().NotBeNullOrEmpty();
        entra.Service.Requests.Single().Assertion!.Alg.Should().Be("PS256");
    }

    [Fact]
    public async Task Binds_from_environment_variables_with_an_escaped_pem()
    {
        await using var entra = await LocalEntra.StartAsync();
        var prefix = $"CCTEST_{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [$"{prefix}CertCredentials__TenantId"] = TestOptions.TenantId,
            [$"{prefix}CertCredentials__ClientId"] = TestOptions.ClientId,
            [$"{prefix}CertCredentials__Scope"] = TestOptions.Scope,
            [$"{prefix}CertCredentials__PrivateKey"] = Fixture.Text("rsa2048.legacy.aes256.escaped.txt"),
            [$"{prefix}CertCredentials__PrivateKeyPassphrase"] = Fixture.Passphrase,
            [$"{prefix}CertCredentials__Certificate"] = Fixture.Text("rsa2048.crt.pem").Replace("\n", "\\n", StringComparison.Ordinal),
            [$"{prefix}CertCredentials__TokenEndpoint"] = entra.TokenEndpoint.ToString(),
        };
        Fixture.Text("rsa2048.legacy.aes256.escaped.txt").Should().Contain("\\n").And.NotContain("\n");
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var services = new ServiceCollection();
            services.AddCertificateClientCredential(configuration.GetSection("CertCredentials"));
            await using var provider = services.BuildServiceProvider();

            (await provider.GetRequiredService<CertificateClientCredential>().GetTokenAsync()).Token.Should().NotBeNullOrEmpty();
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }
}
