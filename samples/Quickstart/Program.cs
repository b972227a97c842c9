using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials;

// With a certificate path as argument: print its thumbprints. Without: make a throwaway certificate and print its.
string pem;
if (args.Length > 0)
{
    pem = File.ReadAllText(args[0]);
}
else
{
    using var key = RSA.Create(2048);
    var request = new CertificateRequest("CN=CertCredentials Quickstart", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    pem = certificate.ExportCertificatePem();
    Console.WriteLine("No certificate given: made a throwaway one (CN=CertCredentials Quickstart).");
}

var sha256 = CertificateThumbprint.ComputeFromPem(pem);
var sha1 = CertificateThumbprint.ComputeFromPem(pem, ThumbprintAlgorithm.Sha1);
Console.WriteLine($"x5t#S256 : {sha256.Base64Url}");
Console.WriteLine($"x5t      : {sha1.Base64Url}");
Console.WriteLine($"SHA-1 hex (as the Azure portal shows it): {sha1.Hex}");
return 0;
