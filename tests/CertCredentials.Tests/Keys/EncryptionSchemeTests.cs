using System.Formats.Asn1;
using System.Security.Cryptography;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>
/// Encrypted PKCS#8 keys: the scheme is named in every message (KDF, PRF, cipher), unsupported ones are refused with
/// the command that fixes them, and the words for every OID the library knows are pinned.
/// </summary>
public sealed class EncryptionSchemeTests
{
    private const string P = Fixture.Passphrase;
    private static readonly string Sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"];

    private static CertificateCredentialException Refusal(string pem, string? passphrase, CertificateCredentialFailure failure) =>
        Load.Refusal(() => Load.FromText(pem, passphrase, thumbprint: Sha1), failure, P);

    [Theory]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", "PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC")]
    [InlineData("rsa2048.pkcs8.aes128-sha1.pem", "PBES2, PBKDF2 with HMAC-SHA1, AES-128-CBC")]
    [InlineData("rsa2048.pkcs8.des3-sha256.pem", "PBES2, PBKDF2 with HMAC-SHA256, DES-EDE3-CBC")]
    [InlineData("rsa2048.pkcs8.pbe-sha1-3des.pem", "PBE SHA1/3DES (PKCS#12)")]
    public void Names_the_scheme_when_asking_for_the_passphrase_and_when_it_is_wrong(string file, string scheme)
    {
        Refusal(Fixture.Text(file), null, CertificateCredentialFailure.PassphraseRequired).Message
            .Should().Be($"The PrivateKey option holds the encrypted PKCS#8 key ({scheme}), and no PrivateKeyPassphrase is set. Set PrivateKeyPassphrase to the passphrase the key was exported with.");
        Refusal(Fixture.Text(file), "wrong passphrase", CertificateCredentialFailure.PassphraseIncorrect).Message
            .Should().StartWith($"The PrivateKeyPassphrase does not decrypt the encrypted PKCS#8 key ({scheme}) in the PrivateKey option.");
    }

    [Fact]
    public void A_key_encrypted_with_an_empty_passphrase_loads_without_one()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(Fixture.Text("rsa2048.pkcs8.pem"));
        var pem = rsa.ExportEncryptedPkcs8PrivateKeyPem(string.Empty, new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 10));

        using var material = Load.FromText(pem, certificate: Fixture.Text("rsa2048.crt.pem"));
        material.KeySize.Should().Be(2048);
        using var again = Load.FromText(pem, string.Empty, Fixture.Text("rsa2048.crt.pem"));
        again.KeySize.Should().Be(2048);
    }

    [Theory]
    [InlineData("1.2.840.113549.2.9", "HMAC-SHA256")]
    [InlineData("1.2.840.113549.2.10", "HMAC-SHA384")]
    [InlineData("1.2.840.113549.2.11", "HMAC-SHA512")]
    [InlineData("1.2.840.113549.2.7", "HMAC-SHA1")]
    public void Names_the_pbkdf2_prf(string prfOid, string prf)
    {
        var der = Pbes2(Oids.Pbkdf2, "2.16.840.1.101.3.4.1.42", prfOid);
        Refusal(Pem(der), null, CertificateCredentialFailure.PassphraseRequired).Message.Should().Contain($"(PBES2, PBKDF2 with {prf}, AES-256-CBC)");
    }

    [Fact]
    public void Reads_the_optional_key_length_before_the_prf()
    {
        var der = Pbes2(Oids.Pbkdf2, "2.16.840.1.101.3.4.1.42", "1.2.840.113549.2.11", keyLength: 32);
        Refusal(Pem(der), null, CertificateCredentialFailure.PassphraseRequired).Message.Should().Contain("(PBES2, PBKDF2 with HMAC-SHA512, AES-256-CBC)");
    }

    [Fact]
    public void Refuses_scrypt_with_the_command_that_re_encrypts_the_key()
    {
        var e = Refusal(Pem(Pbes2(Oids.Scrypt, "2.16.840.1.101.3.4.1.42")), P, CertificateCredentialFailure.EncryptionUnsupported);
        e.Message.Should().Be("The PrivateKey option is encrypted with PBES2 with the scrypt key derivation and AES-256-CBC, which this library cannot decrypt. " +
                              "Re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in <key> -out key.pem");
    }

    [Fact]
    public void Refuses_an_unknown_pbes2_cipher_naming_its_oid()
    {
        Refusal(Pem(Pbes2(Oids.Pbkdf2, "1.2.3.4.5")), P, CertificateCredentialFailure.EncryptionUnsupported)
            .Message.Should().Contain("is encrypted with PBES2, PBKDF2 with HMAC-SHA1, 1.2.3.4.5, which this library cannot decrypt");
    }

    [Theory]
    [InlineData("2.16.840.1.101.3.4.1.2")]
    [InlineData("2.16.840.1.101.3.4.1.22")]
    [InlineData("2.16.840.1.101.3.4.1.42")]
    [InlineData("1.2.840.113549.3.7")]
    [InlineData("1.3.14.3.2.7")]
    [InlineData("1.2.840.113549.3.2")]
    public void Every_pbes2_cipher_dotnet_decrypts_is_tried(string cipherOid) =>
        Refusal(Pem(Pbes2(Oids.Pbkdf2, cipherOid)), null, CertificateCredentialFailure.PassphraseRequired);

    [Theory]
    [InlineData("1.2.840.113549.1.5.3")]
    [InlineData("1.2.840.113549.1.5.6")]
    [InlineData("1.2.840.113549.1.5.10")]
    [InlineData("1.2.840.113549.1.5.11")]
    [InlineData("1.2.840.113549.1.12.1.3")]
    [InlineData("1.2.840.113549.1.12.1.5")]
    [InlineData("1.2.840.113549.1.12.1.6")]
    public void Every_pbes1_scheme_dotnet_decrypts_is_tried(string schemeOid) =>
        Refusal(Pem(Pbes1(schemeOid)), null, CertificateCredentialFailure.PassphraseRequired);

    [Theory]
    [InlineData("1.2.840.113549.1.12.1.4", "PBE SHA1/2-key 3DES (PKCS#12)")]
    [InlineData("1.2.3.4", "1.2.3.4")]
    public void Refuses_other_pbes1_schemes_naming_them(string schemeOid, string name) =>
        Refusal(Pem(Pbes1(schemeOid)), P, CertificateCredentialFailure.EncryptionUnsupported).Message.Should().Contain($"is encrypted with {name}, which");

    [Fact]
    public void Refuses_encryption_parameters_that_do_not_parse_as_corrupt()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.Pbes2);
                writer.WriteNull();
            }

            writer.WriteOctetString(new byte[16]);
        }

        Refusal(Pem(writer.Encode()), P, CertificateCredentialFailure.PrivateKeyUnreadable).Message
            .Should().Be("Could not read the PrivateKey option: the encrypted PKCS#8 private key is corrupt or truncated (its ASN.1 structure does not parse). Copy or export it again.");
    }

    [Fact]
    public void Refuses_an_encrypted_label_on_unencrypted_der_as_corrupt()
    {
        var der = PemReader.ReadBlocks(PastedText.Normalize(Fixture.Text("rsa2048.pkcs8.pem")), KeySource.PrivateKeyOption).Single().Der;
        Refusal(new string(PemEncoding.Write("ENCRYPTED PRIVATE KEY", der)), P, CertificateCredentialFailure.PrivateKeyUnreadable)
            .Message.Should().Contain("the encrypted PKCS#8 private key is corrupt");
    }

    [Theory]
    [InlineData(Oids.RsaPss, "an RSA-PSS-restricted key (made with 'openssl genpkey -algorithm RSA-PSS')")]
    [InlineData(Oids.EcPublicKey, "an EC (ECDSA) key")]
    [InlineData(Oids.Ed25519, "an Ed25519 key")]
    [InlineData(Oids.Ed448, "an Ed448 key")]
    [InlineData(Oids.X25519, "an X25519 key")]
    [InlineData(Oids.X448, "an X448 key")]
    [InlineData(Oids.Dsa, "a DSA key")]
    [InlineData("1.2.3.4", "a key of algorithm 1.2.3.4")]
    public void Refuses_pkcs8_keys_of_other_algorithms_naming_them(string oid, string name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
            }

            writer.WriteOctetString([0x04, 0x02, 0x01, 0x02]);
        }

        var e = Load.Refusal(() => Load.FromText(new string(PemEncoding.Write("PRIVATE KEY", writer.Encode())), thumbprint: Sha1), CertificateCredentialFailure.PrivateKeyNotRsa);
        e.Message.Should().StartWith($"The PrivateKey option holds {name}. Microsoft Entra ID certificate credentials need an RSA key (2048 bits or more).");
        Oids.NonRsaKeyName(Oids.Rsa).Should().BeNull();
    }

    [Theory]
    [InlineData(Oids.Pbes2, "PBES2")]
    [InlineData(Oids.Pbkdf2, "PBKDF2")]
    [InlineData(Oids.Scrypt, "scrypt")]
    [InlineData("1.2.840.113549.2.7", "HMAC-SHA1")]
    [InlineData("1.2.840.113549.2.9", "HMAC-SHA256")]
    [InlineData("1.2.840.113549.2.10", "HMAC-SHA384")]
    [InlineData("1.2.840.113549.2.11", "HMAC-SHA512")]
    [InlineData("2.16.840.1.101.3.4.1.2", "AES-128-CBC")]
    [InlineData("2.16.840.1.101.3.4.1.22", "AES-192-CBC")]
    [InlineData("2.16.840.1.101.3.4.1.42", "AES-256-CBC")]
    [InlineData("1.2.840.113549.3.7", "DES-EDE3-CBC")]
    [InlineData("1.3.14.3.2.7", "DES-CBC")]
    [InlineData("1.2.840.113549.3.2", "RC2-CBC")]
    [InlineData("1.2.840.113549.1.5.3", "PBES1 MD5/DES")]
    [InlineData("1.2.840.113549.1.5.6", "PBES1 MD5/RC2")]
    [InlineData("1.2.840.113549.1.5.10", "PBES1 SHA1/DES")]
    [InlineData("1.2.840.113549.1.5.11", "PBES1 SHA1/RC2")]
    [InlineData("1.2.840.113549.1.12.1.3", "PBE SHA1/3DES (PKCS#12)")]
    [InlineData("1.2.840.113549.1.12.1.4", "PBE SHA1/2-key 3DES (PKCS#12)")]
    [InlineData("1.2.840.113549.1.12.1.5", "PBE SHA1/RC2-128 (PKCS#12)")]
    [InlineData("1.2.840.113549.1.12.1.6", "PBE SHA1/RC2-40 (PKCS#12)")]
    [InlineData("9.9.9", "9.9.9")]
    public void Names_every_encryption_oid_it_knows(string oid, string name) =>
        Oids.EncryptionName(oid).Should().Be(name);

    private static string Pem(byte[] der) => new(PemEncoding.Write("ENCRYPTED PRIVATE KEY", der));

    /// <summary>An EncryptedPrivateKeyInfo with PBES2, the given KDF and cipher; the ciphertext is random, so no passphrase opens it.</summary>
    private static byte[] Pbes2(string kdfOid, string cipherOid, string? prfOid = null, int? keyLength = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.Pbes2);
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(kdfOid);
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(new byte[8]);
                            writer.WriteInteger(kdfOid == Oids.Scrypt ? 16384 : 10);
                            if (keyLength is { } length)
                            {
                                writer.WriteInteger(length);
                            }

                            if (prfOid is not null)
                            {
                                using (writer.PushSequence())
                                {
                                    writer.WriteObjectIdentifier(prfOid);
                                    writer.WriteNull();
                                }
                            }
                        }
                    }

                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(cipherOid);
                        writer.WriteOctetString(new byte[cipherOid.StartsWith("2.16", StringComparison.Ordinal) ? 16 : 8]);
                    }
                }
            }

            writer.WriteOctetString(RandomNumberGenerator.GetBytes(1232));
        }

        return writer.Encode();
    }

    private static byte[] Pbes1(string schemeOid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(schemeOid);
                using (writer.PushSequence())
                {
                    writer.WriteOctetString(new byte[8]);
                    writer.WriteInteger(10);
                }
            }

            writer.WriteOctetString(RandomNumberGenerator.GetBytes(1232));
        }

        return writer.Encode();
    }
}
