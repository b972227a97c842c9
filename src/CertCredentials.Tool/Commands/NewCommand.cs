using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CertCredentials.Tool.Cli;
using CertCredentials.Tool.Configuration;
using CertCredentials.Tool.Files;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Commands;

/// <summary>
/// <c>certcred new</c>: an RSA key (encrypted PKCS#8 unless <c>--no-passphrase</c>), a self-signed certificate for
/// it and, on request, a .pfx; then the thumbprints and what to do next. What openssl's req, x509 and pkcs12 commands
/// do in the setup guides, in one step and with the choices Entra needs made.
/// </summary>
internal static class NewCommand
{
    public const string KeyFileName = "key.pem";
    public const string CertificateFileName = "cert.pem";
    public const string PfxFileName = "cert.pfx";

    /// <summary>
    /// PBKDF2 iterations of the key's encryption. OpenSSL writes 2,048, which is weak against guessing today; 100,000
    /// costs a fraction of a second once at each application start, and stays well under the 1,000,000 the library
    /// accepts.
    /// </summary>
    public const int KdfIterations = 100_000;

    private static readonly int[] KeySizes = [2048, 3072, 4096];

    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var subject = new Option<string>("--subject") { Description = "The certificate's subject, e.g. \"CN=my-app\"", Required = true, HelpName = "NAME" };
        var days = new Option<int>("--days") { Description = "How long the certificate is valid, in days", DefaultValueFactory = _ => 365 };
        days.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 36500)
            {
                r.AddError("--days must be between 1 and 36500.");
            }
        });
        var keySize = new Option<int>("--key-size") { Description = "RSA key size: 2048, 3072 or 4096 bits", DefaultValueFactory = _ => 2048 };
        keySize.Validators.Add(r =>
        {
            if (!KeySizes.Contains(r.GetValueOrDefault<int>()))
            {
                r.AddError("--key-size must be 2048, 3072 or 4096 (Entra refuses RSA keys under 2048 bits).");
            }
        });
        var output = new Option<string>("--out") { Description = "The directory to write the files to (made if missing)", DefaultValueFactory = _ => ".", HelpName = "DIR" };
        var passphrase = new PassphraseOptions(forNewKey: true);
        var pfx = new Option<bool>("--pfx") { Description = $"Also write {PfxFileName} (key and certificate, encrypted with the same passphrase)" };
        var force = new Option<bool>("--force") { Description = "Replace files that already exist" };

        var command = new Command("new", $"Make an RSA key ({KeyFileName}), a self-signed certificate ({CertificateFileName}) and optionally a .pfx, and print the thumbprints and next steps");
        command.Options.Add(subject);
        command.Options.Add(days);
        command.Options.Add(keySize);
        command.Options.Add(output);
        passphrase.AddTo(command);
        command.Options.Add(pfx);
        command.Options.Add(force);
        CommandAction.Set(command, context, global, (parseResult, _) =>
        {
            var name = ParseSubject(parseResult.GetRequiredValue(subject));
            var directory = context.FullPath(parseResult.GetRequiredValue(output));
            var overwrite = parseResult.GetValue(force);
            var withPfx = parseResult.GetValue(pfx);
            var keyPath = Path.Combine(directory, KeyFileName);
            var certificatePath = Path.Combine(directory, CertificateFileName);
            var pfxPath = Path.Combine(directory, PfxFileName);
            OutputFiles.CheckTargets(withPfx ? [keyPath, certificatePath, pfxPath] : [keyPath, certificatePath], overwrite);
            var secret = passphrase.Resolve(parseResult, context);

            using var key = RSA.Create(parseResult.GetValue(keySize));
            var now = context.TimeProvider.GetUtcNow();
            using var certificate = CreateCertificate(name, key, now, parseResult.GetValue(days));
            CreateDirectory(directory);

            var keyPem = secret is null
                ? key.ExportPkcs8PrivateKeyPem()
                : key.ExportEncryptedPkcs8PrivateKeyPem(secret, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, KdfIterations));
            var keyBytes = Encoding.ASCII.GetBytes(keyPem + "\n");
            try
            {
                OutputFiles.Write(keyPath, keyBytes, OutputFiles.Private, overwrite);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(keyBytes);
            }

            OutputFiles.Write(certificatePath, Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"), OutputFiles.Public, overwrite);
            if (withPfx)
            {
                using var withKey = certificate.CopyWithPrivateKey(key);
                var pfxBytes = withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, secret ?? string.Empty);
                try
                {
                    OutputFiles.Write(pfxPath, pfxBytes, OutputFiles.Private, overwrite);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pfxBytes);
                }
            }

            ReportWriter.Write(CreateReport(certificate, key.KeySize, secret is not null, keyPath, certificatePath, withPfx ? pfxPath : null),
                               context, parseResult.GetValue(global.Json));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static X500DistinguishedName ParseSubject(string subject)
    {
        try
        {
            var name = new X500DistinguishedName(subject);
            if (name.EnumerateRelativeDistinguishedNames().Any())
            {
                return name;
            }
        }
        catch (CryptographicException)
        {
        }

        throw new ToolFailure(ExitCodes.Usage, $"--subject '{subject}' is not a distinguished name. Give one such as \"CN=my-app\".");
    }

    /// <summary>
    /// Self-signed, SHA-256 with PKCS#1 v1.5, for signing only: not a CA, digital signature, client authentication.
    /// Valid from five minutes ago, so a verifier whose clock runs a little behind accepts it at once.
    /// </summary>
    private static X509Certificate2 CreateCertificate(X500DistinguishedName subject, RSA key, DateTimeOffset now, int days)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = now.AddMinutes(-5);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        var signer = X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1);
        var certificate = request.Create(subject, signer, notBefore, now.AddDays(days), serial);
        return X509CertificateLoader.LoadCertificate(certificate.RawDataMemory.Span);
    }

    private static void CreateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolFailure(ExitCodes.Output, $"Cannot make the directory '{directory}' ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private static Report CreateReport(X509Certificate2 certificate, int keySize, bool encrypted, string keyPath, string certificatePath, string? pfxPath)
    {
        var report = new Report();
        report.AddSection("Files", "files")
            .Add("Private key", "privateKey", keyPath)
            .Add("Key format", "privateKeyFormat", encrypted
                ? $"encrypted PKCS#8 (PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC), RSA-{keySize}"
                : $"PKCS#8, unencrypted, RSA-{keySize}")
            .Add("Certificate", "certificate", certificatePath)
            .Add("PKCS#12", "pfx", pfxPath);
        var section = report.AddSection("Certificate", "certificate")
            .Add("Subject", "subject", certificate.Subject)
            .Add("Valid from", "notBefore", new DateTimeOffset(certificate.NotBefore.ToUniversalTime()))
            .Add("Expires", "notAfter", new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        ThumbprintForms.AddTo(section, certificate);

        var sha1 = CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha1).Hex;
        report.AddNextStep($"Upload {certificatePath} to the app registration: Azure portal, App registrations, your app, Certificates & secrets, Certificates, Upload certificate. The portal then lists it with the thumbprint {sha1}.");
        report.AddNextStep(encrypted
            ? $"Keep {keyPath} (mode 0600) and its passphrase secret; give the passphrase to the application from a secret store, e.g. as the CertCredentials__PrivateKeyPassphrase environment variable."
            : $"Keep {keyPath} (mode 0600) secret: it is not encrypted, so store it in a secret store or a file only the application can read.");
        report.AddNextStep("Put the appsettings.json above in the application, with TenantId and ClientId from the app registration's Overview, then run: certcred check");
        report.AddNextStep($"Or try it offline first: certcred emulate --certificate {certificatePath}, then certcred check with the configuration it prints.");
        report.AppSettings = new JsonObject
        {
            [ConfigurationOptions.DefaultSection] = new JsonObject
            {
                ["TenantId"] = "<directory (tenant) ID>",
                ["ClientId"] = "<application (client) ID>",
                ["Scope"] = "https://graph.microsoft.com/.default",
                ["PrivateKeyPath"] = keyPath,
                ["CertificatePath"] = certificatePath,
            },
        };
        return report;
    }
}
