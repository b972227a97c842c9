using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Keys;

/// <summary>Reads a certificate from text in any pasted form, for the thumbprint API.</summary>
internal static class CertificateText
{
    private static readonly KeySource Source = new("the certificate text", IsCertificateInput: true);

    public static X509Certificate2 ReadFirstCertificate(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.CertificateUnreadable,
                "The certificate text is empty. Give the PEM (-----BEGIN CERTIFICATE----- ...) or base64 DER of the certificate.");
        }

        using var bag = new KeyBag();
        KeyInputReader.ReadText(text, Source, passphrase: null, bag);
        if (bag.Certificates.Count == 0)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.CertificateUnreadable,
                "The text holds no certificate (-----BEGIN CERTIFICATE----- ...). Give the certificate, not only the key.");
        }

        var first = bag.Certificates[0];
        bag.Release(first);
        return first;
    }
}
