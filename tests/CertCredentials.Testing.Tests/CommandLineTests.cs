using System.Security.Cryptography.X509Certificates;
using CertCredentials.Samples.TokenServiceHost;
using CertCredentials.Testing.Tests.Infrastructure;

namespace CertCredentials.Testing.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Reads_the_documented_options()
    {
        var ok = CommandLine.TryParse(
            ["--tenant", "contoso.onmicrosoft.com", "--client-id", "app", "--certificate", "cert.pem", "--resource", "api://x", "--port", "5081"],
            out var settings,
            out _);

        ok.Should().BeTrue();
        settings.Tenant.Should().Be("contoso.onmicrosoft.com");
        settings.ClientId.Should().Be("app");
        settings.CertificatePath.Should().Be("cert.pem");
        settings.Resources.Should().Equal("api://x");
        settings.Port.Should().Be(5081);
    }

    [Fact]
    public void Defaults_to_graph_and_port_5080()
    {
        CommandLine.TryParse(["--tenant", "t", "--client-id", "c", "--certificate", "cert.pem"], out var settings, out _).Should().BeTrue();

        settings.Resources.Should().Equal("https://graph.microsoft.com");
        settings.Port.Should().Be(5080);
    }

    [Theory]
    [InlineData("--tenant", "t")]
    [InlineData("--tenant", "t", "--client-id", "c", "--certificate", "x", "--port", "not-a-port")]
    [InlineData("--bogus", "1")]
    public void Refuses_an_incomplete_or_wrong_command_line(params string[] args)
    {
        CommandLine.TryParse(args, out _, out var problem).Should().BeFalse();
        problem.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void Loads_a_pem_or_der_certificate()
    {
        using var certificate = TestCertificates.Create();
        var pem = Path.GetTempFileName();
        var der = Path.GetTempFileName();
        try
        {
            File.WriteAllText(pem, certificate.ExportCertificatePem());
            File.WriteAllBytes(der, certificate.Export(X509ContentType.Cert));

            using var fromPem = CommandLine.LoadCertificate(pem);
            using var fromDer = CommandLine.LoadCertificate(der);

            fromPem.Thumbprint.Should().Be(certificate.Thumbprint);
            fromDer.Thumbprint.Should().Be(certificate.Thumbprint);
        }
        finally
        {
            File.Delete(pem);
            File.Delete(der);
        }
    }
}
