using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Properties;

/// <summary>The valid inputs the properties start from: openssl-made fixtures, plus a PKCS#12 without a MAC built here.</summary>
internal static class Seeds
{
    public const string P = Fixture.Passphrase;

    /// <summary>Unencrypted key text in every form, RSA and not, alone and in bundles.</summary>
    public static readonly Seed[] PlainPem =
    [
        .. new[]
        {
            "rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem", "rsa2048.bundle.key-then-cert.pem", "rsa2048.bundle.cert-then-key.pem",
            "rsa2048.pfx-nocerts-nodes.pem", "rsa2048.pfx-all.pem", "rsa2048.pkcs8.crlf.pem", "rsa2048.pkcs8.escaped.txt",
            "rsa2048.pkcs8.oneline.txt", "rsa2048.pkcs8.indented.txt", "rsa2048.pkcs8.b64.txt", "chain.bundle.leaf-middle.pem",
            "ec-p256.key.pem", "ec-p256.sec1.pem", "ed25519.key.pem", "rsa2048.openssh.txt", "rsa1024.key.pem",
        }.Select(name => new Seed(name, Fixture.Text(name))),
    ];

    /// <summary>Encrypted PKCS#8 (PBES2 and PKCS#12 PBE) and OpenSSL's legacy PEM encryption, with their passphrase.</summary>
    public static readonly Seed[] EncryptedPem =
    [
        .. new[]
        {
            "rsa2048.pkcs8.aes256-sha256.pem", "rsa2048.pkcs8.aes128-sha1.pem", "rsa2048.pkcs8.des3-sha256.pem", "rsa2048.pkcs8.pbe-sha1-3des.pem",
            "rsa2048.pfx-nocerts.pem", "rsa2048.legacy.aes128.pem", "rsa2048.legacy.aes192.pem", "rsa2048.legacy.aes256.pem",
            "rsa2048.legacy.des3.pem", "rsa2048.legacy.des.pem", "rsa2048.legacy.aes256.escaped.txt",
        }.Select(name => new Seed(name, Fixture.Text(name), P)),
    ];

    /// <summary>PKCS#12 files as bytes (and their base64 as text), with their password.</summary>
    public static readonly Seed[] Pkcs12 =
    [
        Pfx("rsa2048.pfx", P), Pfx("rsa2048.nopass.pfx", string.Empty), Pfx("rsa2048.legacy.pfx", P), Pfx("chain.leaf.pfx", P),
        Pfx("cert-only.pfx", P), Pfx("ec-p256.pfx", P), WithoutMac(),
    ];

    /// <summary>Certificates in PEM, alone and in bundles and chains.</summary>
    public static readonly Seed[] CertificatePem =
    [
        .. new[] { "rsa2048.crt.pem", "chain.certs.root-first.pem", "rsa2048.bundle.cert-then-key.pem", "rsa2048.pfx-all.pem", "ec-p256.crt.pem", "ed25519.crt.pem" }
            .Select(name => new Seed(name, Fixture.Text(name))),
    ];

    /// <summary>Text that must never show up in a message: the key bodies of the main identity and the passphrase.</summary>
    public static readonly string[] Secrets =
    [
        Fixture.Text("rsa2048.pkcs8.pem"), Fixture.Text("rsa2048.pkcs1.pem"), Fixture.Text("rsa2048.pfx.b64.txt"), Fixture.Text("chain.leaf.key.pem"), P,
    ];

    public static string[] SecretsOf(Seed seed, string? passphrase) =>
        [.. Secrets, seed.Text, seed.Bytes.Length > 0 ? Convert.ToBase64String(seed.Bytes) : string.Empty, passphrase is { Length: >= 8 } ? passphrase : string.Empty];

    public static readonly string Sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"];

    private static Seed Pfx(string name, string passphrase)
    {
        var bytes = Fixture.Bytes(name);
        return new Seed(name, Convert.ToBase64String(bytes), passphrase) { Bytes = bytes };
    }

    /// <summary>
    /// A PKCS#12 without integrity protection (openssl pkcs12 -export -nomac), key unencrypted: damage inside it is not
    /// caught by a MAC, so it reaches the certificate and key parsing.
    /// </summary>
    private static Seed WithoutMac()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var key = RSA.Create();
        key.ImportFromPem(Fixture.Text("rsa2048.pkcs8.pem"));
        var contents = new Pkcs12SafeContents();
        contents.AddCertificate(certificate);
        contents.AddKeyUnencrypted(key);
        var builder = new Pkcs12Builder();
        builder.AddSafeContentsUnencrypted(contents);
        builder.SealWithoutIntegrity();
        var bytes = builder.Encode();
        return new Seed("rsa2048 built without a MAC", Convert.ToBase64String(bytes), null) { Bytes = bytes };
    }
}
