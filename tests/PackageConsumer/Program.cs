// A user's program referencing the CertCredentials package: registers it as Program.cs would and signs an assertion.
// Given the path of the symbols package, it also checks that the symbols carry every source file of the library.
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using CertCredentials;
using CertCredentials.Azure;
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
services.AddCertificateClientCredentialTokenCredential();

// The Redis wing as a fleet registers it; Redis is reached on first use only (none runs here, and none is needed).
services.AddCertificateClientCredentialRedisCache(options => options.Configuration = "127.0.0.1:6379");

using var provider = services.BuildServiceProvider();
var credential = provider.GetRequiredService<CertificateClientCredential>();
var assertion = credential.CreateClientAssertion();
var store = provider.GetRequiredService<SharedTokenStore>();
Console.WriteLine($"Package consumer: {credential.Thumbprint}, assertion of {assertion.Split('.').Length} parts, endpoint {credential.TokenEndpoint}, shared store {store}");
var tokenCredential = provider.GetRequiredService<TokenCredential>();
var adapterIsTheCredentials = ReferenceEquals(tokenCredential, credential.AsTokenCredential());
Console.WriteLine($"Package consumer (CertCredentials.Azure): TokenCredential {tokenCredential.GetType().Name}, the credential's own: {adapterIsTheCredentials}");
// A Key Vault source as a user makes one; the vault is reached on first load only (none happens here). Its vault
// credential is the vault's own in production (typically a managed identity); any TokenCredential does here.
var source = new KeyVaultCertificateSource(new Uri("https://consumer-vault.vault.azure.net/"), "app-cert", tokenCredential);
var sourceMade = source.CertificateName == "app-cert" && source.VaultUri.Host == "consumer-vault.vault.azure.net";
Console.WriteLine($"Package consumer (CertCredentials.Azure): {source}");
var symbolsComplete = args.Length == 0 || SymbolsEmbedEverySource(args[0]);
return symbolsComplete && sourceMade && store.GetType().Name == "RedisTokenStore" && adapterIsTheCredentials && assertion.Split('.').Length == 3 && credential.Thumbprint.Equals(CertificateThumbprint.Compute(certificate)) ? 0 : 1;

static bool SymbolsEmbedEverySource(string snupkg)
{
    var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
    using var zip = ZipFile.OpenRead(snupkg);
    using var pdb = new MemoryStream();
    using (var entry = zip.GetEntry("lib/net10.0/CertCredentials.pdb")!.Open())
    {
        entry.CopyTo(pdb);
    }

    pdb.Position = 0;
    using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
    var reader = provider.GetMetadataReader();
    var documents = reader.Documents.Count;
    var embedded = reader.CustomDebugInformation
        .Select(reader.GetCustomDebugInformation)
        .Count(c => c.Parent.Kind == HandleKind.Document && reader.GetGuid(c.Kind) == embeddedSource);
    Console.WriteLine($"Symbols package: {embedded} of {documents} source files embedded");
    return documents > 0 && embedded == documents;
}
