using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Keys;
using CertCredentials.Tool.Cli;
using CertCredentials.Tool.Files;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Commands;

/// <summary>
/// <c>certcred inspect FILE</c>: what a key or certificate file holds, as the library reads it: each item's form and
/// encryption scheme, the key's size, each certificate's subject, issuer and validity, whether key and certificate
/// belong together, and whether the library accepts the file as PrivateKeyPath. Never shows key material.
/// </summary>
internal static class InspectCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var file = new Argument<string>("FILE") { Description = "A key, certificate, bundle or .pfx file" };
        var passphrase = new PassphraseOptions(forNewKey: false);
        var command = new Command("inspect", "Show what a key or certificate file holds: forms, encryption, key size, certificates, whether they belong together");
        command.Arguments.Add(file);
        passphrase.AddTo(command);
        CommandAction.Set(command, context, global, (parseResult, _) =>
        {
            var secret = passphrase.Resolve(parseResult, context);
            var path = context.FullPath(parseResult.GetRequiredValue(file));
            var items = KeyInputDescriber.DescribeFile(path, KeyFile.SourceOf(path), "the command line", secret);

            KeyFile? contents = null;
            CertificateCredentialException? readFailure = null;
            try
            {
                contents = KeyFile.Read(path, secret);
            }
            catch (CertificateCredentialException e) when (e.Failure is not CertificateCredentialFailure.FileUnreadable)
            {
                readFailure = e;
            }

            using (contents)
            {
                if (readFailure is { Failure: CertificateCredentialFailure.PassphraseIncorrect })
                {
                    throw readFailure;
                }

                ReportWriter.Write(CreateReport(path, items, contents, readFailure), context, parseResult.GetValue(global.Json));
            }

            return Task.FromResult(ExitCodes.Success);
        }, CommandAction.PassphraseHint);
        return command;
    }

    private static Report CreateReport(string path, IReadOnlyList<KeyInputItem> items, KeyFile? contents, CertificateCredentialException? readFailure)
    {
        var report = new Report();
        var file = report.AddSection("File", "file")
            .Add("Path", "path", path)
            .Add("Size", "bytes", new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            file.Add("Mode", "mode", Convert.ToString((int)File.GetUnixFileMode(path), 8).PadLeft(4, '0'));
        }

        file.Add("Holds", "items", new ReportLines([.. items.Select(i => i.Form)]));
        if (contents is not null && contents.Warnings.Count > 0)
        {
            file.Add("Warnings", "warnings", contents.Warnings);
        }

        var key = report.AddSection("Private key", "privateKey");
        if (readFailure is not null)
        {
            key.Add("Read", "read", false);
        }
        else if (contents!.KeyCount == 0)
        {
            key.Add("Read", "read", false).Add("Why", "problem", "the file holds no private key");
        }
        else
        {
            key.Add("Read", "read", true).Add("Keys", "count", contents.KeyCount);
            if (contents.KeySize is { } size)
            {
                key.Add("Algorithm", "algorithm", $"RSA-{size}");
            }
        }

        var certificates = contents?.Certificates ?? CertificatesOf(items);
        foreach (var certificate in certificates)
        {
            var section = report.AddSection($"Certificate {certificate.Subject}", "certificates", isListItem: true)
                .Add("Subject", "subject", certificate.Subject)
                .Add("Issuer", "issuer", certificate.Issuer)
                .Add("Self-signed", "selfSigned", certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
                .Add("Valid from", "notBefore", new DateTimeOffset(certificate.NotBefore.ToUniversalTime()))
                .Add("Expires", "notAfter", new DateTimeOffset(certificate.NotAfter.ToUniversalTime()))
                .Add("Public key", "publicKey", DescribePublicKey(certificate));
            if (contents is { KeyCount: 1 })
            {
                section.Add("Certificate of the key", "matchesKey", contents.Leaf is not null && ReferenceEquals(contents.Leaf, certificate));
            }

            section.Add("x5t#S256", "x5tS256", CertificateThumbprint.Compute(certificate).Base64Url)
                .Add("SHA-1 (Azure portal)", "sha1", CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha1).Hex);
        }

        if (contents is null)
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }

        var verdict = report.AddSection("As PrivateKeyPath", "library");
        if (readFailure is not null)
        {
            verdict.Add("Accepted", "accepted", false).Add("Why", "problem", $"{readFailure.Failure}: {FailureReporter.OneLine(readFailure.Message)}");
            if (readFailure.Failure is CertificateCredentialFailure.PassphraseRequired)
            {
                verdict.Add("Next", "next", CommandAction.PassphraseHint);
            }
        }
        else if (contents!.KeyCount == 1 && contents.Certificates.Count > 0)
        {
            verdict.Add("Accepted", "accepted", contents.LeafFailure is null);
            verdict.Add(contents.LeafFailure is null ? "Key and certificate" : "Why", contents.LeafFailure is null ? "keyAndCertificate" : "problem",
                contents.LeafFailure is null
                    ? $"belong together ({contents.Leaf!.Subject})"
                    : $"{contents.LeafFailure.Failure}: {FailureReporter.OneLine(contents.LeafFailure.Message)}");
        }
        else if (contents.KeyCount == 1)
        {
            verdict.Add("Accepted", "accepted", contents.KeySize >= 2048)
                .Add("Note", "note", contents.KeySize >= 2048
                    ? "a key alone: give the certificate as CertificatePath, or its thumbprint as CertificateThumbprint"
                    : $"RSA-{contents.KeySize} is under 2048 bits, which Entra refuses (AADSTS50032)");
        }
        else
        {
            verdict.Add("Accepted", "accepted", false).Add("Why", "problem", contents.KeyCount == 0
                ? "no private key here: this file can be CertificatePath, beside a key in PrivateKeyPath"
                : $"{contents.KeyCount} different private keys; exactly one is needed");
        }

        return report;
    }

    /// <summary>The certificates named by the describer, when the file could not be read whole (a missing passphrase).</summary>
    private static List<X509Certificate2> CertificatesOf(IReadOnlyList<KeyInputItem> items) =>
        [.. items.Where(i => i.CertificateDer is not null).Select(i => X509CertificateLoader.LoadCertificate(i.CertificateDer!))];

    private static string DescribePublicKey(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null ? $"RSA-{rsa.KeySize}" : certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown";
    }
}
