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

    public static TheoryData<string, string, string> Misplaced_values => new()
    {
        { "MaxRetries", "Secret-Passphrase-7/ok", "a whole number" },
        { "RequestTimeout", Fixture.Text("rsa2048.pkcs8.pem"), "a duration such as 00:00:30" },
        { "ExpirationMargin", "hunter2 correct horse battery", "a duration such as 00:00:30" },
    };

    [Theory]
    [MemberData(nameof(Misplaced_values))]
    public void A_secret_pasted_into_an_option_of_another_type_is_refused_by_name_never_echoed(string option, string secret, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CertCredentials:TenantId"] = TestOptions.TenantId,
            ["CertCredentials:ClientId"] = TestOptions.ClientId,
            ["CertCredentials:Scope"] = TestOptions.Scope,
            ["CertCredentials:PrivateKeyPath"] = Fixture.Path("rsa2048.pkcs8.pem"),
            ["CertCredentials:CertificatePath"] = Fixture.Path("rsa2048.crt.pem"),
            [$"CertCredentials:{option}"] = secret,
        }).Build();
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(configuration.GetSection("CertCredentials"));
        using var provider = services.BuildServiceProvider();

        var thrown = FluentActions.Invoking(provider.GetRequiredService<CertificateClientCredential>).Should().Throw<Exception>().Which;

        var refusal = thrown as CertificateCredentialException ?? thrown.InnerException as CertificateCredentialException;
        refusal.Should().NotBeNull(thrown.ToString());
        refusal!.Failure.Should().Be(CertificateCredentialFailure.InvalidOptions);
        refusal.Message.Should().Contain($"'CertCredentials:{option}'").And.Contain(expected).And.Contain($"CertCredentials__{option}");
        SecretScan.AssertClean(thrown, secret); // the host logs this exception whole when it fails to start
    }

    [Fact]
    public void A_short_numeric_typo_is_shown_so_it_can_be_seen()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CertCredentials:TenantId"] = TestOptions.TenantId,
            ["CertCredentials:MaxRetries"] = "99999999999",
        }).Build();
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(configuration.GetSection("CertCredentials"));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(provider.GetRequiredService<CertificateClientCredential>).Should().Throw<CertificateCredentialException>()
            .WithMessage("*'CertCredentials:MaxRetries' ('99999999999') is not a whole number*");
    }
}
