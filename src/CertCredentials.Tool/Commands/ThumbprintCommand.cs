using System.CommandLine;
using CertCredentials.Tool.Cli;
using CertCredentials.Tool.Files;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Commands;

/// <summary>
/// <c>certcred thumbprint FILE...</c>: every form of the thumbprint, for PEM, DER, PKCS#12 and bundles. Where the file
/// holds a key, its certificate is picked by the key (as the library picks it); otherwise every certificate is shown.
/// </summary>
internal static class ThumbprintCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var files = new Argument<string[]>("FILE") { Description = "Certificate, bundle or .pfx files (PEM, DER or PKCS#12)", Arity = ArgumentArity.OneOrMore };
        var passphrase = new PassphraseOptions(forNewKey: false);
        var command = new Command("thumbprint", "Print a certificate's thumbprint in every form: x5t#S256, x5t, SHA-1 hex (as the Azure portal shows it), SHA-256 hex");
        command.Arguments.Add(files);
        passphrase.AddTo(command);
        CommandAction.Set(command, context, global, (parseResult, _) =>
        {
            var secret = passphrase.Resolve(parseResult, context);
            var report = new Report();
            foreach (var file in parseResult.GetRequiredValue(files))
            {
                var path = context.FullPath(file);
                using var contents = KeyFile.Read(path, secret);
                if (contents.LeafFailure is { Failure: CertificateCredentialFailure.KeyCertificateMismatch })
                {
                    throw contents.LeafFailure;
                }

                IEnumerable<System.Security.Cryptography.X509Certificates.X509Certificate2> shown = contents.Leaf is not null ? [contents.Leaf] : contents.Certificates;
                if (!shown.Any())
                {
                    throw new ToolFailure(ExitCodes.Key, $"The file '{path}' holds no certificate{(contents.KeyCount > 0 ? ", only a private key" : string.Empty)}. A thumbprint is the hash of a certificate: give the certificate (cert.pem) or a bundle or .pfx that holds it.");
                }

                foreach (var certificate in shown)
                {
                    var section = report.AddSection(certificate.Subject, "certificates", isListItem: true)
                        .Add("File", "file", path)
                        .Add("Subject", "subject", certificate.Subject)
                        .Add("Picked by", "pickedBy", contents.Leaf is not null ? "the private key in the file" : contents.Certificates.Count == 1 ? "the only certificate" : "(no key in the file: every certificate)");
                    ThumbprintForms.AddTo(section, certificate);
                }
            }

            ReportWriter.Write(report, context, parseResult.GetValue(global.Json));
            return Task.FromResult(ExitCodes.Success);
        }, CommandAction.PassphraseHint);
        return command;
    }
}
