// A user's program referencing the CertCredentials package: registers it as Program.cs would and signs an assertion.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials;
using Microsoft.Extensions.DependencyInjection;

using var rsa = RSA.Create(2048);
using var certificate = new CertificateRequest("CN=package-consumer", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
    .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

var services = new ServiceCollection();
services.AddCertificateClientCredential(options =>
{
    options.TenantId = "contoso.onmicrosoft.com";
    options.ClientId = "00000000-0000-0000-0000-000000000001";
    options.Scope = "https://graph.microsoft.com/.default";
    options.PrivateKey = rsa.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal);
    options.Certificate = certificate.ExportCertificatePem();
});
services.AddHttpClient("graph").AddCertificateClientCredentialHandler();

using var provider = services.BuildServiceProvider();
var credential = provider.GetRequiredService<CertificateClientCredential>();
var assertion = credential.CreateClientAssertion();
Console.WriteLine($"Package consumer: {credential.Thumbprint}, assertion of {assertion.Split('.').Length} parts, endpoint {credential.TokenEndpoint}");
return assertion.Split('.').Length == 3 && credential.Thumbprint.Equals(CertificateThumbprint.Compute(certificate)) ? 0 : 1;
