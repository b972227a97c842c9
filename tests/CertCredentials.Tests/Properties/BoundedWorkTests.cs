using System.Diagnostics;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Inputs whose cost the file itself chooses (iteration counts, the number of PEM markers) must still be refused
/// with a typed error within seconds. The skipped tests are library bugs found by the properties in this folder;
/// each is reported, with its input and stack trace, to the owner of src/. Remove the Skip once fixed.
/// </summary>
public sealed class BoundedWorkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Text of 900,000 characters (under the 1 MiB limit): PEM BEGIN lines and no END line, or END markers without a label.</summary>
    public static TheoryData<string> ManyMarkers => new()
    {
        "-----BEGIN A-----\n",
        "-----BEGIN A-----\n-----END \n",
    };

    [Theory]
    [MemberData(nameof(ManyMarkers))]
    public async Task Text_of_many_pem_begin_lines_without_end_lines_is_refused_with_a_typed_error(string unit)
    {
        var text = new StringBuilder().Insert(0, unit, 900_000 / unit.Length).ToString();
        var e = await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(text, thumbprint: Seeds.Sha1)));
        e.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
    }

    [Fact]
    public async Task Encrypted_pkcs8_key_with_an_absurd_pbkdf2_iteration_count_is_refused_within_seconds()
    {
        var pem = new string(PemEncoding.Write("ENCRYPTED PRIVATE KEY", WithPbkdf2Iterations(Fixture.Text("rsa2048.pkcs8.aes256-sha256.pem"), int.MaxValue)));
        await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(pem, Fixture.Passphrase, thumbprint: Seeds.Sha1)));
        await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(pem, thumbprint: Seeds.Sha1)));
    }

    [Fact]
    public async Task Pkcs12_with_an_absurd_mac_iteration_count_is_refused_within_seconds()
    {
        var base64 = Convert.ToBase64String(WithMacIterations(Fixture.Bytes("rsa2048.pfx"), int.MaxValue));
        await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(base64, Fixture.Passphrase, thumbprint: Seeds.Sha1)));
        await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(base64, thumbprint: Seeds.Sha1)));
    }

    [Fact]
    public async Task Pkcs12_with_a_moderately_raised_mac_iteration_count_is_refused_within_seconds()
    {
        // 200,000 iterations: slower than the 2048 openssl uses, far under what hangs; the MAC no longer matches.
        var base64 = Convert.ToBase64String(WithMacIterations(Fixture.Bytes("rsa2048.pfx"), 200_000));
        var e = await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(base64, Fixture.Passphrase, thumbprint: Seeds.Sha1)));
        e.Failure.Should().Be(CertificateCredentialFailure.PassphraseIncorrect);
    }

    [Fact]
    public async Task Encrypted_pkcs8_key_with_a_moderately_raised_iteration_count_is_refused_within_seconds()
    {
        var pem = new string(PemEncoding.Write("ENCRYPTED PRIVATE KEY", WithPbkdf2Iterations(Fixture.Text("rsa2048.pkcs8.aes256-sha256.pem"), 200_000)));
        var e = await RefusedWithinBound(() => KeyMaterialLoader.Load(Expect.Options(pem, Fixture.Passphrase, thumbprint: Seeds.Sha1)));
        e.Failure.Should().Be(CertificateCredentialFailure.PassphraseIncorrect, "the key was derived with another count, so the passphrase no longer opens it");
    }

    private static async Task<CertificateCredentialException> RefusedWithinBound(Func<KeyMaterial> load)
    {
        var stopwatch = Stopwatch.StartNew();
        var attempt = Task.Run(() =>
        {
            using var material = load();
        });
        var finished = await Task.WhenAny(attempt, Task.Delay(Bound * 2));
        stopwatch.Stop();
        finished.Should().BeSameAs(attempt, "the call must return within {0} s", Bound.TotalSeconds);
        var e = await Assert.ThrowsAsync<CertificateCredentialException>(() => attempt);
        stopwatch.Elapsed.Should().BeLessThan(Bound);
        SecretScan.AssertClean(e, Seeds.Secrets);
        return e;
    }

    /// <summary>Rewrites the PBKDF2 iteration count of a PBES2 EncryptedPrivateKeyInfo, keeping everything else.</summary>
    internal static byte[] WithPbkdf2Iterations(string encryptedPem, int iterations)
    {
        var der = Convert.FromBase64String(string.Concat(encryptedPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        var info = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var algorithm = info.ReadSequence();
        var pbes2Oid = algorithm.ReadObjectIdentifier();
        var pbes2 = algorithm.ReadSequence();
        var kdf = pbes2.ReadSequence();
        var kdfOid = kdf.ReadObjectIdentifier();
        var kdfParameters = kdf.ReadSequence();
        var salt = kdfParameters.ReadOctetString();
        kdfParameters.ReadInteger();
        var prf = kdfParameters.HasData ? kdfParameters.ReadEncodedValue().ToArray() : null;
        var cipher = pbes2.ReadEncodedValue().ToArray();
        var encrypted = info.ReadOctetString();

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(pbes2Oid);
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(kdfOid);
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(salt);
                            writer.WriteInteger(iterations);
                            if (prf is not null)
                            {
                                writer.WriteEncodedValue(prf);
                            }
                        }
                    }

                    writer.WriteEncodedValue(cipher);
                }
            }

            writer.WriteOctetString(encrypted);
        }

        return writer.Encode();
    }

    /// <summary>Rewrites the MAC iteration count of a PKCS#12 file (the MAC then no longer verifies).</summary>
    internal static byte[] WithMacIterations(byte[] pfx, int iterations)
    {
        var outer = new AsnReader(pfx, AsnEncodingRules.BER).ReadSequence();
        var version = outer.ReadEncodedValue().ToArray();
        var authSafe = outer.ReadEncodedValue().ToArray();
        var mac = outer.ReadSequence();
        var digest = mac.ReadEncodedValue().ToArray();
        var salt = mac.ReadOctetString();

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(version);
            writer.WriteEncodedValue(authSafe);
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(digest);
                writer.WriteOctetString(salt);
                writer.WriteInteger(iterations);
            }
        }

        return writer.Encode();
    }
}
