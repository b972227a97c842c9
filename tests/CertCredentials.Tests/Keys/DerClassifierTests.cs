using System.Formats.Asn1;
using System.Security.Cryptography;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>Binary inputs are told apart by their ASN.1 shape, whatever their file name; anything else is Unknown.</summary>
public sealed class DerClassifierTests
{
    private static byte[] PemDer(string fixture) =>
        PemReader.ReadBlocks(PastedText.Normalize(Fixture.Text(fixture)), KeySource.PrivateKeyOption).First(b => b.Label.Contains("KEY", StringComparison.Ordinal)).Der;

    public static TheoryData<string, string> Fixtures => new()
    {
        { "rsa2048.pfx", nameof(DerKind.Pkcs12) },
        { "rsa2048.legacy.pfx", nameof(DerKind.Pkcs12) },
        { "rsa2048.pkcs8.der", nameof(DerKind.Pkcs8) },
        { "rsa2048.pkcs1.der", nameof(DerKind.Pkcs1) },
        { "rsa2048.crt.der", nameof(DerKind.Certificate) },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Classifies_binary_fixtures_by_content(string file, string kind) =>
        DerClassifier.Classify(Fixture.Bytes(file)).ToString().Should().Be(kind);

    [Theory]
    [InlineData("rsa2048.pkcs1.pem", nameof(DerKind.Pkcs1))]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", nameof(DerKind.EncryptedPkcs8))]
    [InlineData("rsa2048.pkcs8.pbe-sha1-3des.pem", nameof(DerKind.EncryptedPkcs8))]
    [InlineData("ec-p256.sec1.pem", nameof(DerKind.Sec1EcPrivateKey))]
    [InlineData("rsa2048.pkcs8.pem", nameof(DerKind.Pkcs8))]
    [InlineData("ec-p256.key.pem", nameof(DerKind.Pkcs8))]
    [InlineData("ed25519.key.pem", nameof(DerKind.Pkcs8))]
    public void Classifies_the_der_inside_pem_fixtures(string file, string kind) =>
        DerClassifier.Classify(PemDer(file)).ToString().Should().Be(kind);

    [Fact]
    public void Classifies_a_subject_public_key_info()
    {
        using var rsa = RSA.Create(2048);
        DerClassifier.Classify(rsa.ExportSubjectPublicKeyInfo()).Should().Be(DerKind.SubjectPublicKeyInfo);
    }

    [Fact]
    public void Classifies_a_certificate_without_the_explicit_version_as_a_certificate()
    {
        // A v1 TBSCertificate starts with the serial number (INTEGER), not [0].
        DerClassifier.Classify(Der(w => { using (w.PushSequence()) { w.WriteInteger(5); } w.WriteNull(); })).Should().Be(DerKind.Certificate);
    }

    [Theory]
    [InlineData(0, nameof(DerKind.Pkcs8))]
    [InlineData(1, nameof(DerKind.Pkcs8))]
    [InlineData(2, nameof(DerKind.Unknown))]
    [InlineData(3, nameof(DerKind.Unknown))]
    public void A_version_and_algorithm_sequence_is_pkcs8_only_for_versions_0_and_1(int version, string kind) =>
        DerClassifier.Classify(Der(w => { w.WriteInteger(version); using (w.PushSequence()) { w.WriteObjectIdentifier("1.2.840.113549.1.1.1"); } w.WriteOctetString([1]); }))
            .ToString().Should().Be(kind);

    [Theory]
    [InlineData(3, "1.2.840.113549.1.7.1", nameof(DerKind.Pkcs12))]
    [InlineData(3, "1.2.840.113549.1.7.2", nameof(DerKind.Pkcs12))]
    [InlineData(3, "1.2.840.113549.1.7.3", nameof(DerKind.Unknown))]
    [InlineData(2, "1.2.840.113549.1.7.1", nameof(DerKind.Unknown))]
    [InlineData(0, "1.2.840.113549.1.7.1", nameof(DerKind.Pkcs8))]
    public void Version_3_with_pkcs7_content_is_pkcs12(int version, string oid, string kind) =>
        DerClassifier.Classify(Der(w => { w.WriteInteger(version); using (w.PushSequence()) { w.WriteObjectIdentifier(oid); } })).ToString().Should().Be(kind);

    [Fact]
    public void A_version_followed_by_a_sequence_not_starting_with_an_oid_is_unknown() =>
        DerClassifier.Classify(Der(w => { w.WriteInteger(0); using (w.PushSequence()) { w.WriteInteger(1); } })).Should().Be(DerKind.Unknown);

    [Theory]
    [InlineData(0, nameof(DerKind.Pkcs1))]
    [InlineData(1, nameof(DerKind.Pkcs1))]
    [InlineData(2, nameof(DerKind.Unknown))]
    public void Two_leading_integers_are_pkcs1_for_versions_0_and_1(int version, string kind) =>
        DerClassifier.Classify(Der(w => { w.WriteInteger(version); w.WriteInteger(12345); })).ToString().Should().Be(kind);

    [Theory]
    [InlineData(1, nameof(DerKind.Sec1EcPrivateKey))]
    [InlineData(0, nameof(DerKind.Unknown))]
    [InlineData(2, nameof(DerKind.Unknown))]
    public void A_version_and_octet_string_is_sec1_only_for_version_1(int version, string kind) =>
        DerClassifier.Classify(Der(w => { w.WriteInteger(version); w.WriteOctetString([1, 2]); })).ToString().Should().Be(kind);

    [Fact]
    public void A_version_followed_by_anything_else_is_unknown() =>
        DerClassifier.Classify(Der(w => { w.WriteInteger(0); w.WriteNull(); })).Should().Be(DerKind.Unknown);

    [Fact]
    public void An_algorithm_identifier_followed_by_neither_octet_nor_bit_string_is_unknown() =>
        DerClassifier.Classify(Der(w => { using (w.PushSequence()) { w.WriteObjectIdentifier("1.2.3"); } w.WriteInteger(1); })).Should().Be(DerKind.Unknown);

    [Fact]
    public void An_algorithm_identifier_followed_by_an_octet_string_is_encrypted_pkcs8() =>
        DerClassifier.Classify(Der(w => { using (w.PushSequence()) { w.WriteObjectIdentifier("1.2.3"); } w.WriteOctetString([1]); })).Should().Be(DerKind.EncryptedPkcs8);

    [Fact]
    public void An_inner_sequence_starting_with_something_else_is_unknown() =>
        DerClassifier.Classify(Der(w => { using (w.PushSequence()) { w.WriteNull(); } })).Should().Be(DerKind.Unknown);

    [Fact]
    public void A_sequence_starting_with_neither_integer_nor_sequence_is_unknown() =>
        DerClassifier.Classify(Der(w => w.WriteObjectIdentifier("1.2.3"))).Should().Be(DerKind.Unknown);

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30 })]
    [InlineData(new byte[] { 0x30, 0x00 })]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01 })]
    [InlineData(new byte[] { 0x02, 0x01, 0x00 })]
    [InlineData(new byte[] { 0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 })]
    public void Truncated_empty_or_foreign_bytes_are_unknown(byte[] bytes) =>
        DerClassifier.Classify(bytes).Should().Be(DerKind.Unknown);

    [Fact]
    public void First_value_length_cuts_trailing_data_after_the_first_value()
    {
        var certificate = Fixture.Bytes("rsa2048.crt.der");
        DerClassifier.FirstValueLength([.. certificate, 0x30, 0x03, 0x02, 0x01, 0x00]).Should().Be(certificate.Length);
        DerClassifier.FirstValueLength(certificate).Should().Be(certificate.Length);
    }

    [Fact]
    public void First_value_length_of_unparseable_bytes_is_their_whole_length()
    {
        DerClassifier.FirstValueLength(new byte[] { 0x30, 0x05, 0x01 }).Should().Be(3);
    }

    private static byte[] Der(Action<AsnWriter> content)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            content(writer);
        }

        return writer.Encode();
    }
}
