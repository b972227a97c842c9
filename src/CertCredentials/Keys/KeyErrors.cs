using CertCredentials.Configuration;

namespace CertCredentials.Keys;

/// <summary>
/// Every refusal of key and certificate input, worded in one place: what is wrong, where, and how to fix it.
/// None of these ever includes the input text, only its source and shape.
/// </summary>
internal static class KeyErrors
{
    public const string ExportPkcs8 = "openssl pkcs8 -topk8 -v2 aes-256-cbc -in <key> -out key.pem";

    public const string ExportPkcs12 = "openssl pkcs12 -export -in cert.pem -inkey key.pem -out app.pfx";

    private const string MakeRsaKey =
        "Make an RSA key and certificate with: openssl req -x509 -newkey rsa:2048 -sha256 -days 365 -subj \"/CN=my-app\" -keyout key.pem -out cert.pem, then upload cert.pem under Certificates & secrets of the app registration";

    public static CertificateCredentialException Unreadable(KeySource source, string detail, Exception? inner = null) =>
        new(source.IsCertificateInput ? CertificateCredentialFailure.CertificateUnreadable : CertificateCredentialFailure.PrivateKeyUnreadable,
            $"Could not read {source}: {detail}.", inner);

    public static CertificateCredentialException NotKeyOrCertificate(KeySource source) =>
        Unreadable(source,
            "it is neither PEM text (-----BEGIN PRIVATE KEY----- ...) nor base64 of a PKCS#12 (.pfx) file or DER key. " +
            "Give the PEM exactly as exported, including its BEGIN and END lines, or the base64 text of a .pfx file as Azure Key Vault stores it");

    public static CertificateCredentialException LooksLikeAPath(KeySource source, string option) =>
        Unreadable(source, $"it looks like a file path, not key text. Put a path in {option}Path instead of {option}");

    public static CertificateCredentialException NotRsa(KeySource source, string what) =>
        new(CertificateCredentialFailure.PrivateKeyNotRsa,
            $"{Capitalize(source.ToString())} holds {what}. Microsoft Entra ID certificate credentials need an RSA key (2048 bits or more). {MakeRsaKey}.");

    public static CertificateCredentialException OpenSsh(KeySource source) =>
        new(CertificateCredentialFailure.PrivateKeyUnreadable,
            $"{Capitalize(source.ToString())} holds an OpenSSH private key (BEGIN OPENSSH PRIVATE KEY), which is not an X.509 key format. " +
            "Convert an RSA one with: ssh-keygen -p -m PKCS8 -f <file> (it rewrites the file as BEGIN PRIVATE KEY), or better make a dedicated key: " + MakeRsaKey + ".");

    public static CertificateCredentialException TooSmall(KeySource source, int bits) =>
        new(CertificateCredentialFailure.PrivateKeyTooSmall,
            $"The RSA key in {source} has {bits} bits; Microsoft Entra ID refuses keys under 2048 bits (AADSTS50032). {MakeRsaKey}.");

    public static CertificateCredentialException PassphraseRequired(KeySource source, string what) =>
        new(CertificateCredentialFailure.PassphraseRequired,
            $"{Capitalize(source.ToString())} holds {what}, and no PrivateKeyPassphrase is set. Set PrivateKeyPassphrase to the passphrase the key was exported with.");

    public static CertificateCredentialException PassphraseIncorrect(KeySource source, string what, Exception? inner = null) =>
        new(CertificateCredentialFailure.PassphraseIncorrect,
            $"The PrivateKeyPassphrase does not decrypt {what} in {source}. Check the passphrase (its case, and that no trailing newline or space came with it), or export the key again.",
            inner);

    public static CertificateCredentialException EncryptionUnsupported(KeySource source, string scheme) =>
        new(CertificateCredentialFailure.EncryptionUnsupported,
            $"{Capitalize(source.ToString())} is encrypted with {scheme}, which this library cannot decrypt. " +
            "Re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in <key> -out key.pem");

    public static CertificateCredentialException TooManyIterations(KeySource source, string scheme, int limit, string exportCommand, Exception? inner = null) =>
        new(CertificateCredentialFailure.EncryptionUnsupported,
            $"{Capitalize(source.ToString())} is encrypted with {scheme} and asks for an iteration count that is not between 1 and {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}, the most this library runs (OpenSSL writes 2,048). " +
            $"A file asking for more is damaged or was not made for real use. Export it again: {exportCommand}",
            inner);

    public static CertificateCredentialException CertificateWithoutKey(KeySource source) =>
        new(CertificateCredentialFailure.CertificateWithoutPrivateKey,
            $"{Capitalize(source.ToString())} holds a certificate but no private key, and a certificate alone cannot sign the client assertion. " +
            "Give the private key (BEGIN PRIVATE KEY ...), or a PKCS#12 (.pfx) file that includes the key; keep the certificate in Certificate or CertificatePath.");

    public static CertificateCredentialException PublicKeyOnly(KeySource source) =>
        new(CertificateCredentialFailure.PrivateKeyMissing,
            $"{Capitalize(source.ToString())} holds a public key, not a private key. The client assertion is signed with the private key: give the BEGIN PRIVATE KEY (or RSA PRIVATE KEY) text.");

    public static CertificateCredentialException NoKeyFound(KeySource source) =>
        new(CertificateCredentialFailure.PrivateKeyMissing,
            $"{Capitalize(source.ToString())} holds no private key. Give the PEM text of the key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY) or a PKCS#12 (.pfx) file.");

    public static CertificateCredentialException Corrupt(KeySource source, string what, Exception? inner = null) =>
        Unreadable(source, $"{what} is corrupt or truncated (its ASN.1 structure does not parse). Copy or export it again", inner);

    public static CertificateCredentialException FileMissing(KeySource source, string path, string option, string? contentRoot = null)
    {
        var underRoot = contentRoot is not null && path.StartsWith(contentRoot, StringComparison.Ordinal);

        // Judged as given: a passphrase pasted into the option has a folder once the content root is put before it.
        var given = underRoot ? path[contentRoot!.Length..].TrimStart('/', '\\') : path;
        var quoted = OptionText.CanEcho(given, OptionKind.Path) ? OptionText.Quote(path, OptionKind.Path) : OptionText.Quote(given, OptionKind.Path);
        var fix = underRoot
            ? $" (a relative {option} is resolved against the content root '{contentRoot}', IHostEnvironment.ContentRootPath, as appsettings.json is). Check the path, or give an absolute one."
            : Path.IsPathRooted(path) ? ". Check the path."
            : $" (a relative path, resolved against the current directory '{Environment.CurrentDirectory}'). Check the path, or give an absolute one.";
        return new(CertificateCredentialFailure.FileUnreadable, $"The file {quoted} given in {option} does not exist{fix}");
    }

    public static CertificateCredentialException FileIsDirectory(string path, string option) =>
        new(CertificateCredentialFailure.FileUnreadable,
            $"{Capitalize(OptionText.Quote(path, OptionKind.Path))} given in {option} is a directory, not a file. Give the path of the key or certificate file inside it.");

    public static CertificateCredentialException FileUnreadable(string path, string option, Exception inner) =>
        new(CertificateCredentialFailure.FileUnreadable,
            $"The file {OptionText.Quote(path, OptionKind.Path)} given in {option} cannot be read ({inner.GetType().Name}). Check that this process may read it.", inner);

    public static CertificateCredentialException FileTooLarge(string path, string option, long length) =>
        new(CertificateCredentialFailure.FileUnreadable,
            $"The file {OptionText.Quote(path, OptionKind.Path)} given in {option} is {length} bytes, far larger than a key or certificate file (the limit is {KeyInputReader.MaxInputBytes} bytes). Check that the path names the right file.");

    public static CertificateCredentialException TooLarge(KeySource source, int length) =>
        Unreadable(source, $"it is {length} characters long, far larger than a key or certificate (the limit is {KeyInputReader.MaxInputBytes}). Check that the right value was given");

    public static CertificateCredentialException KeyMismatch(string certificateSubject, CertificateThumbprint thumbprint, int count) =>
        new(CertificateCredentialFailure.KeyCertificateMismatch,
            count == 1
                ? $"The private key does not belong to the certificate '{certificateSubject}' ({thumbprint.Hex[..8]}..., SHA-1 {thumbprint.Hex}): its public key differs. Give the key that was generated with this certificate, or the certificate made from this key."
                : $"The private key belongs to none of the {count} certificates given (the first is '{certificateSubject}'). Give the certificate made from this key.");

    public static CertificateCredentialException ThumbprintMismatch(CertificateThumbprint given, CertificateThumbprint sha1, CertificateThumbprint sha256, string subject) =>
        new(CertificateCredentialFailure.ThumbprintMismatch,
            $"The CertificateThumbprint ({(given.Algorithm == ThumbprintAlgorithm.Sha1 ? "SHA-1 " + given.Hex : "SHA-256 " + given.Base64Url)}) is not the thumbprint of the certificate given ('{subject}': SHA-1 {sha1.Hex}, x5t#S256 {sha256.Base64Url}). " +
            "Leave CertificateThumbprint empty (it is computed from the certificate), or give the certificate it belongs to.");

    public static CertificateCredentialException ThumbprintMissing() =>
        new(CertificateCredentialFailure.ThumbprintMissing,
            "Neither a certificate nor a certificate thumbprint was given, so Entra could not tell which registered certificate signed the assertion. " +
            "Set Certificate or CertificatePath to the certificate uploaded to the app registration, or set CertificateThumbprint to the thumbprint the Azure portal shows for it.");

    public static CertificateCredentialException KeyInsteadOfCertificate(KeySource source) =>
        new(CertificateCredentialFailure.ThumbprintMissing,
            $"{Capitalize(source.ToString())} holds a private key, not a certificate, so Entra could not tell which registered certificate signed the assertion. " +
            "Point CertificatePath at the certificate file (BEGIN CERTIFICATE, the one uploaded to the app registration), or give a PEM bundle or PKCS#12 file holding both as PrivateKeyPath, or set CertificateThumbprint to the thumbprint the Azure portal shows.");

    public static CertificateCredentialException CertificateMissing(KeySource source) =>
        new(CertificateCredentialFailure.ThumbprintMissing,
            $"{Capitalize(source.ToString())} holds a private key but not its certificate, and Entra finds the key by the certificate's thumbprint. " +
            "Give the certificate with the key (a PEM bundle of key and certificate, or a PKCS#12 file that includes the certificate).");

    public static CertificateCredentialException SignerCertificateWithoutRsaKey(KeySource source, string? algorithm) =>
        new(CertificateCredentialFailure.PrivateKeyNotRsa,
            $"{Capitalize(source.ToString())} has a public key of type {algorithm ?? "unknown"}, not RSA. Microsoft Entra ID certificate credentials need an RSA key (2048 bits or more) behind the certificate.");

    public static CertificateCredentialException TooManyKeys(int count) =>
        new(CertificateCredentialFailure.PrivateKeyUnreadable,
            $"The inputs hold {count} different private keys; exactly one is needed. Give only the key of the certificate registered for the app.");

    public static CertificateCredentialException BothGiven(string option) =>
        new(CertificateCredentialFailure.InvalidOptions,
            $"Both {option} and {option}Path are set; set only one of them.");

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
