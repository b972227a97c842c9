using CertCredentials.Configuration;

namespace CertCredentials.Keys;

/// <summary>Where an input came from, named in the words of the options, for messages. Never holds the input itself.</summary>
internal sealed record KeySource(string Description, bool IsCertificateInput, string? Path = null)
{
    public static readonly KeySource PrivateKeyOption = new("the PrivateKey option", IsCertificateInput: false);
    public static readonly KeySource CertificateOption = new("the Certificate option", IsCertificateInput: true);
    public static readonly KeySource FromPem = new("the PEM given to ClientCertificate.FromPem", IsCertificateInput: false);
    public static readonly KeySource FromPkcs12 = new("the PKCS#12 given to ClientCertificate.FromPkcs12", IsCertificateInput: false);
    public static readonly KeySource FromSigner = new("the certificate given to ClientCertificate.FromSigner", IsCertificateInput: true);

    public static KeySource PrivateKeyFile(string path) => new($"the file {OptionText.Quote(path, OptionKind.Path)} (PrivateKeyPath)", IsCertificateInput: false, path);

    public static KeySource CertificateFile(string path) => new($"the file {OptionText.Quote(path, OptionKind.Path)} (CertificatePath)", IsCertificateInput: true, path);

    public override string ToString() => Description;
}
