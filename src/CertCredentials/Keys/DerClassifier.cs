using System.Formats.Asn1;

namespace CertCredentials.Keys;

/// <summary>
/// Tells PKCS#12, PKCS#8 (plain or encrypted), PKCS#1, SEC1, certificates and public keys apart by their ASN.1 shape,
/// so files are recognised by content rather than by extension.
/// </summary>
internal static class DerClassifier
{
    private static readonly Asn1Tag ContextZero = new(TagClass.ContextSpecific, 0, isConstructed: true);

    public static DerKind Classify(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            var first = outer.PeekTag();

            if (first.HasSameClassAndValue(Asn1Tag.Integer))
            {
                var version = outer.ReadInteger();
                var second = outer.PeekTag();
                if (second.HasSameClassAndValue(Asn1Tag.Sequence))
                {
                    var inner = outer.ReadSequence();
                    if (!inner.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
                    {
                        return DerKind.Unknown;
                    }

                    var oid = inner.ReadObjectIdentifier();
                    if (version == 3 && oid is Oids.Pkcs7Data or Oids.Pkcs7SignedData)
                    {
                        return DerKind.Pkcs12;
                    }

                    return version <= 1 ? DerKind.Pkcs8 : DerKind.Unknown;
                }

                if (second.HasSameClassAndValue(Asn1Tag.Integer) && version <= 1)
                {
                    return DerKind.Pkcs1;
                }

                if (second.HasSameClassAndValue(Asn1Tag.PrimitiveOctetString) && version == 1)
                {
                    return DerKind.Sec1EcPrivateKey;
                }

                return DerKind.Unknown;
            }

            if (first.HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var inner = outer.ReadSequence();
                var innerFirst = inner.PeekTag();
                if (innerFirst.HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
                {
                    // AlgorithmIdentifier first: encrypted PKCS#8 (then OCTET STRING) or a public key (then BIT STRING).
                    var next = outer.PeekTag();
                    return next.HasSameClassAndValue(Asn1Tag.PrimitiveOctetString) ? DerKind.EncryptedPkcs8
                        : next.HasSameClassAndValue(Asn1Tag.PrimitiveBitString) ? DerKind.SubjectPublicKeyInfo
                        : DerKind.Unknown;
                }

                // TBSCertificate starts with [0] version or the serial number.
                return innerFirst.HasSameClassAndValue(ContextZero) || innerFirst.HasSameClassAndValue(Asn1Tag.Integer)
                    ? DerKind.Certificate
                    : DerKind.Unknown;
            }

            return DerKind.Unknown;
        }
        catch (AsnContentException)
        {
            return DerKind.Unknown;
        }
        catch (ArgumentException)
        {
            return DerKind.Unknown;
        }
    }

    /// <summary>The encoded length of the first DER value, to cut trailing data (openssl's TRUSTED CERTIFICATE aux).</summary>
    public static int FirstValueLength(ReadOnlySpan<byte> der)
    {
        try
        {
            AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.BER, out _, out _, out var consumed);
            return consumed;
        }
        catch (AsnContentException)
        {
            return der.Length;
        }
    }
}
