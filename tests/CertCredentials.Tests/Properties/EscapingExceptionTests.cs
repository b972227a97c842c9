using System.Formats.Asn1;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Exact reproductions of inputs the properties found to throw something other than
/// <see cref="CertificateCredentialException"/>. The skipped ones are library bugs reported to the owner of src/
/// (see <see cref="KnownBugs"/>); remove the Skip, and the entry in <see cref="KnownBugs"/>, once fixed.
/// </summary>
public sealed class EscapingExceptionTests
{
    /// <summary>43 (SHA-256) and 27 (SHA-1) base64url characters whose last one carries non-zero spare bits ('B' = 000001).</summary>
    public static TheoryData<string> NonCanonicalBase64Url => new()
    {
        new string('A', 42) + "B",
        new string('A', 26) + "B",
        new string('A', 42) + "B=",
        "sOLOkYpIwVGZGCmKl4TDAm2+nm/JJ7+ckFhJKb36EwS=",
    };

    [Theory]
    [MemberData(nameof(NonCanonicalBase64Url))]
    public void Thumbprint_in_base64url_with_nonzero_spare_bits_is_refused_with_a_typed_error_and_TryParse_does_not_throw(string thumbprint)
    {
        var tryParse = () => CertificateThumbprint.TryParse(thumbprint, out _);
        tryParse.Should().NotThrow();

        var parse = () => CertificateThumbprint.Parse(thumbprint);
        parse.Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.ThumbprintInvalid);

        var load = () => KeyMaterialLoader.Load(Expect.Options(Fixture.Text("rsa2048.pkcs8.pem"), thumbprint: thumbprint));
        load.Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.ThumbprintInvalid);
    }

    [Fact]
    public void Thumbprint_in_canonical_base64url_parses_to_its_hash()
    {
        // The neighbours of the bug: the same lengths with zero spare bits parse.
        CertificateThumbprint.Parse(new string('A', 42) + "E").Hash.ToArray().Should().Equal([.. new byte[31], 0x01]);
        CertificateThumbprint.Parse(new string('A', 26) + "E").Algorithm.Should().Be(ThumbprintAlgorithm.Sha1);
    }

    [Theory]
    [InlineData(Fixture.Passphrase)]
    [InlineData(null)]
    public void Pkcs12_whose_mac_names_an_unknown_digest_algorithm_is_refused_with_a_typed_error(string? passphrase)
    {
        var pfx = WithMacDigestAlgorithm(Fixture.Bytes("rsa2048.pfx"), "1.2.3.4");
        var e = Load.Refusal(() => Load.FromText(Convert.ToBase64String(pfx), passphrase, thumbprint: Seeds.Sha1), CertificateCredentialFailure.PrivateKeyUnreadable, Fixture.Passphrase);
        e.Message.Should().Contain("PKCS#12");
    }

    [Fact]
    public void Certificate_whose_rsa_public_key_does_not_decode_is_refused_with_a_typed_error()
    {
        var certificate = Mutations.Pem("CERTIFICATE", WithCorruptRsaPublicKey(CertificateDer("rsa2048.crt.pem")));
        var e = Load.Refusal(() => Load.FromText(Fixture.Text("rsa2048.pkcs8.pem"), certificate: certificate),
            CertificateCredentialFailure.CertificateUnreadable, Fixture.Text("rsa2048.pkcs8.pem"));
        e.Message.Should().Contain("certificate");
    }

    [Fact]
    public void Certificate_whose_validity_date_does_not_decode_is_refused_with_a_typed_error()
    {
        var certificate = Mutations.Pem("CERTIFICATE", WithCorruptNotAfter(CertificateDer("rsa2048.crt.pem")));
        var e = Load.Refusal(() => Load.FromText(Fixture.Text("rsa2048.pkcs8.pem"), certificate: certificate),
            CertificateCredentialFailure.CertificateUnreadable, Fixture.Text("rsa2048.pkcs8.pem"));
        e.Message.Should().Contain("certificate");
    }

    [Fact]
    public void The_damaged_certificates_of_these_tests_still_load_as_certificates()
    {
        // What makes the two bugs above reachable: the loader accepts both certificates; only a later read fails.
        using var badKey = X509CertificateLoader.LoadCertificate(WithCorruptRsaPublicKey(CertificateDer("rsa2048.crt.pem")));
        FluentActions.Invoking(() => badKey.GetRSAPublicKey()).Should().Throw<System.Security.Cryptography.CryptographicException>();
        using var badDate = X509CertificateLoader.LoadCertificate(WithCorruptNotAfter(CertificateDer("rsa2048.crt.pem")));
        FluentActions.Invoking(() => badDate.NotAfter).Should().Throw<System.Security.Cryptography.CryptographicException>();
    }

    private static byte[] CertificateDer(string fixture)
    {
        using var certificate = Fixture.Certificate(fixture);
        return certificate.RawData;
    }

    /// <summary>Turns the SEQUENCE tag of the RSAPublicKey inside the SubjectPublicKeyInfo into a SET tag.</summary>
    internal static byte[] WithCorruptRsaPublicKey(byte[] certificate)
    {
        var tbs = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        for (var i = 0; i < 6; i++)
        {
            tbs.ReadEncodedValue(); // version, serial, signature, issuer, validity, subject
        }

        var spki = tbs.ReadEncodedValue();
        var offset = certificate.AsSpan().IndexOf(spki.Span);
        var spkiReader = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence();
        var algorithm = spkiReader.ReadEncodedValue();
        var bitString = spkiReader.ReadEncodedValue();
        var rsaPublicKey = offset + spki.Span.IndexOf(bitString.Span) + (bitString.Length - new AsnReader(bitString, AsnEncodingRules.DER).ReadBitString(out _).Length);
        algorithm.Length.Should().BeGreaterThan(0);
        certificate[rsaPublicKey].Should().Be(0x30);
        return Mutations.Changed(certificate, rsaPublicKey, 0x31);
    }

    /// <summary>Puts a '!' among the digits of the notAfter time.</summary>
    internal static byte[] WithCorruptNotAfter(byte[] certificate)
    {
        var tbs = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        for (var i = 0; i < 4; i++)
        {
            tbs.ReadEncodedValue(); // version, serial, signature, issuer
        }

        var validity = tbs.ReadEncodedValue();
        var validityReader = new AsnReader(validity, AsnEncodingRules.DER).ReadSequence();
        validityReader.ReadEncodedValue();
        var notAfter = validityReader.ReadEncodedValue();
        var offset = certificate.AsSpan().IndexOf(validity.Span) + validity.Span.IndexOf(notAfter.Span);
        return Mutations.Changed(certificate, offset + 2 + 4, (byte)'!');
    }

    /// <summary>Replaces the digest algorithm of a PKCS#12 MAC, keeping the rest of the file.</summary>
    internal static byte[] WithMacDigestAlgorithm(byte[] pfx, string oid)
    {
        var outer = new AsnReader(pfx, AsnEncodingRules.BER).ReadSequence();
        var version = outer.ReadEncodedValue().ToArray();
        var authSafe = outer.ReadEncodedValue().ToArray();
        var mac = outer.ReadSequence();
        var digestInfo = mac.ReadSequence();
        digestInfo.ReadSequence();
        var digest = digestInfo.ReadOctetString();
        var rest = mac.ReadEncodedValue().ToArray();
        var iterations = mac.HasData ? mac.ReadEncodedValue().ToArray() : null;

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(version);
            writer.WriteEncodedValue(authSafe);
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(oid);
                        writer.WriteNull();
                    }

                    writer.WriteOctetString(digest);
                }

                writer.WriteEncodedValue(rest);
                if (iterations is not null)
                {
                    writer.WriteEncodedValue(iterations);
                }
            }
        }

        return writer.Encode();
    }
}
