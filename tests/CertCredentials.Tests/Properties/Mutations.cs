using System.Formats.Asn1;
using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace CertCredentials.Tests.Properties;

/// <summary>A valid input to start from: its name for recipes, its text or bytes, and the passphrase that opens it.</summary>
internal sealed record Seed(string Name, string Text, string? Passphrase = null)
{
    public byte[] Bytes { get; init; } = [];

    public override string ToString() => Name;
}

/// <summary>A generated text input and the recipe that made it (what FsCheck prints when it fails).</summary>
internal sealed record TextCase(Seed Seed, string Recipe, string Text, string? Passphrase)
{
    public override string ToString() => $"{Recipe} [{Text.Length} chars, passphrase {(Passphrase is null ? "null" : $"of {Passphrase.Length} chars")}]";
}

/// <summary>A generated binary input (a file's bytes) and its recipe.</summary>
internal sealed record BinaryCase(Seed Seed, string Recipe, byte[] Bytes, string? Passphrase)
{
    public override string ToString() => $"{Recipe} [{Bytes.Length} bytes]";
}

/// <summary>
/// FsCheck generators that damage valid key, certificate and PKCS#12 inputs the ways copying, pasting, storage and
/// attackers do: bit flips, truncation, deleted and duplicated ranges, swapped and relabelled BEGIN/END lines, garbage
/// lines, random unicode, and ASN.1-aware damage to the DER inside a PEM block (lengths, tags, bytes).
/// </summary>
internal static partial class Mutations
{
    public static readonly string[] Labels =
    [
        "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY",
        "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE", "PUBLIC KEY", "RSA PUBLIC KEY", "X509 CRL", "CERTIFICATE REQUEST",
        "PKCS7", "EC PARAMETERS", "ANY PRIVATE KEY", "PRIVATE  KEY", "private key", "", "PRIVATE KEY-", "A",
    ];

    /// <summary>Lines that people, tools and attackers put into PEM text.</summary>
    public static readonly string[] GarbageLines =
    [
        "", " ", "\t", "Bag Attributes", "    localKeyID: E6 54 3F ", "friendlyName: x", "subject=CN = x", "Key Attributes: <No Attributes>",
        "Proc-Type: 4,ENCRYPTED", "Proc-Type: 4,", "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF", "DEK-Info: AES-256-CBC,00",
        "DEK-Info: DES-CBC,0011223344556677", "DEK-Info: BF-CBC,0011223344556677", "DEK-Info: ,", "Comment: \"hello\"",
        "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----",
        "-----BEGIN -----", "-----END-----", "-----BEGIN RSA PRIVATE KEY-----", "-----", "=", "====", "MII", "\\n", "\\r\\n", "\"", "'",
        "\uFEFF", "\u200E", "\u00A0", "\u2028", "\0", "\uFFFD", "\uD800", "\uDC00", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ключ", "鍵", "🔑🔑🔑",
    ];

    private static readonly char[] SpecialChars =
        ['\0', '\uFEFF', '\u200E', '\u200B', '\u00A0', '\u2028', '\uFFFD', '\uD800', '\uDFFF', '-', ':', ',', '\\', '"', '\'', '\r', '\n', '=', ' ', '\t', 'A', '/', '+'];

    /// <summary>Any char: mostly from the basic multilingual plane, with the characters that matter to PEM parsing weighted up.</summary>
    public static Gen<char> AnyChar { get; } = Gen.Frequency(
        (3, Gen.Elements(SpecialChars)),
        (3, Gen.Choose(0x20, 0x7E).Select(i => (char)i)),
        (2, Gen.Choose(0, 0xFFFF).Select(i => (char)i)));

    public static Gen<string> AnyString(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(AnyChar, n)).Select(chars => new string(chars));

    public static Gen<string> GarbageLine { get; } = Gen.Frequency(
        (4, Gen.Elements(GarbageLines)),
        (1, AnyString(100)),
        (1, Gen.ArrayOf(Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".ToCharArray()), 64).Select(c => new string(c))));

    /// <summary>Seeds with 1 to <paramref name="maxMutations"/> text mutations applied.</summary>
    public static Gen<TextCase> OfText(IReadOnlyList<Seed> seeds, int maxMutations = 3, Gen<string?>? passphrase = null) =>
        from seed in Gen.Elements(seeds.ToArray())
        from count in Gen.Choose(1, maxMutations)
        from pass in passphrase ?? Gen.Constant(seed.Passphrase)
        from mutated in Apply(new TextCase(seed, seed.Name, seed.Text, pass), count, TextMutation)
        select mutated;

    /// <summary>Seeds' bytes with 1 to <paramref name="maxMutations"/> byte mutations applied.</summary>
    public static Gen<BinaryCase> OfBytes(IReadOnlyList<Seed> seeds, int maxMutations = 3) =>
        from seed in Gen.Elements(seeds.ToArray())
        from count in Gen.Choose(1, maxMutations)
        from mutated in Apply(new BinaryCase(seed, seed.Name, seed.Bytes, seed.Passphrase), count, c => ByteMutation(c.Bytes).Select(m => c with { Recipe = $"{c.Recipe} | {m.What}", Bytes = m.Bytes }))
        select mutated;

    private static Gen<T> Apply<T>(T start, int count, Func<T, Gen<T>> mutate) =>
        count == 0 ? Gen.Constant(start) : mutate(start).SelectMany(next => Apply(next, count - 1, mutate));

    public static Gen<TextCase> TextMutation(TextCase c) => Gen.Frequency(
        (3, FlipBit(c)),
        (2, Truncate(c)),
        (1, DeleteRange(c)),
        (1, DuplicateRange(c)),
        (2, InsertGarbageLine(c)),
        (2, ReplaceChar(c)),
        (2, SwapBeginAndEnd(c)),
        (2, Relabel(c)),
        (1, DropLine(c)),
        (1, SwapLines(c)),
        (4, DamageDer(c)));

    public static Gen<TextCase> FlipBit(TextCase c) =>
        c.Text.Length == 0 ? AppendGarbage(c) :
        from position in Gen.Choose(0, c.Text.Length - 1)
        from bit in Gen.Frequency((6, Gen.Choose(0, 7)), (1, Gen.Choose(8, 15)))
        select With(c, $"flip bit {bit} of char {position}", c.Text[..position] + (char)(c.Text[position] ^ (1 << bit)) + c.Text[(position + 1)..]);

    public static Gen<TextCase> Truncate(TextCase c) =>
        Gen.Choose(0, c.Text.Length).Select(at => With(c, $"truncate at {at}", c.Text[..at]));

    private static Gen<TextCase> DeleteRange(TextCase c) =>
        c.Text.Length == 0 ? AppendGarbage(c) :
        from start in Gen.Choose(0, c.Text.Length - 1)
        from count in Gen.Choose(1, 100)
        let n = Math.Min(count, c.Text.Length - start)
        select With(c, $"delete {n} chars at {start}", c.Text.Remove(start, n));

    private static Gen<TextCase> DuplicateRange(TextCase c) =>
        c.Text.Length == 0 ? AppendGarbage(c) :
        from start in Gen.Choose(0, c.Text.Length - 1)
        from count in Gen.Choose(1, 200)
        let n = Math.Min(count, c.Text.Length - start)
        select With(c, $"duplicate {n} chars at {start}", c.Text.Insert(start + n, c.Text.Substring(start, n)));

    public static Gen<TextCase> InsertGarbageLine(TextCase c)
    {
        var starts = LineStarts(c.Text);
        return from index in Gen.Elements(starts)
               from line in GarbageLine
               select With(c, $"insert line {Show(line)} at {index}", c.Text.Insert(index, line + "\n"));
    }

    private static Gen<TextCase> ReplaceChar(TextCase c) =>
        c.Text.Length == 0 ? AppendGarbage(c) :
        from position in Gen.Choose(0, c.Text.Length - 1)
        from replacement in AnyChar
        select With(c, $"replace char {position} with U+{(int)replacement:X4}", c.Text[..position] + replacement + c.Text[(position + 1)..]);

    private static Gen<TextCase> AppendGarbage(TextCase c) =>
        GarbageLine.Select(line => With(c, $"append {Show(line)}", c.Text + line));

    /// <summary>Exchanges the text of a BEGIN line and an END line (the block then ends before it begins).</summary>
    public static Gen<TextCase> SwapBeginAndEnd(TextCase c)
    {
        // Only markers that do not overlap: in "-----BEGIN X-----END X-----" (a damaged text whose line break is gone)
        // the two matches share five dashes, and swapping them has no meaning.
        var pairs = (from begin in BeginMarker().Matches(c.Text)
                     from end in EndMarker().Matches(c.Text)
                     where begin.Index + begin.Length <= end.Index || end.Index + end.Length <= begin.Index
                     select (Begin: begin, End: end)).ToArray();
        if (pairs.Length == 0)
        {
            return AppendGarbage(c);
        }

        return from pair in Gen.Elements(pairs)
               select With(c, $"swap BEGIN at {pair.Begin.Index} with END at {pair.End.Index}", Swap(c.Text, pair.Begin, pair.End));
    }

    /// <summary>Gives a BEGIN line, an END line or both another label (mismatched, unknown, empty, lower case).</summary>
    public static Gen<TextCase> Relabel(TextCase c)
    {
        var markers = AnyMarker().Matches(c.Text).ToArray();
        if (markers.Length == 0)
        {
            return AppendGarbage(c);
        }

        return from marker in Gen.Elements(markers)
               from label in Gen.Frequency((4, Gen.Elements(Labels)), (1, AnyString(12)))
               from both in Gen.Elements(false, true)
               select With(c, $"relabel {(both ? "every" : "the")} marker at {marker.Index} '{marker.Groups[2].Value}' as {Show(label)}",
                   both
                       ? c.Text.Replace($"-----BEGIN {marker.Groups[2].Value}-----", $"-----BEGIN {label}-----", StringComparison.Ordinal)
                               .Replace($"-----END {marker.Groups[2].Value}-----", $"-----END {label}-----", StringComparison.Ordinal)
                       : c.Text[..marker.Index] + $"-----{marker.Groups[1].Value} {label}-----" + c.Text[(marker.Index + marker.Length)..]);
    }

    private static Gen<TextCase> DropLine(TextCase c)
    {
        var lines = c.Text.Split('\n');
        return Gen.Choose(0, lines.Length - 1).Select(i => With(c, $"drop line {i}", string.Join('\n', lines.Where((_, j) => j != i))));
    }

    private static Gen<TextCase> SwapLines(TextCase c)
    {
        var lines = c.Text.Split('\n');
        return from i in Gen.Choose(0, lines.Length - 1)
               from j in Gen.Choose(0, lines.Length - 1)
               select With(c, $"swap lines {i} and {j}", string.Join('\n', lines.Select((line, k) => k == i ? lines[j] : k == j ? lines[i] : line)));
    }

    /// <summary>Decodes the base64 of one PEM block, damages the DER, and writes it back as 64-character lines.</summary>
    public static Gen<TextCase> DamageDer(TextCase c)
    {
        var bodies = Base64Body().Matches(c.Text).Where(m => m.Groups[1].Length > 0).ToArray();
        if (bodies.Length == 0)
        {
            return FlipBit(c);
        }

        return from body in Gen.Elements(bodies)
               let der = TryDecode(body.Groups[1].Value)
               from damage in der is null ? Gen.Constant<(string What, byte[] Bytes)?>(null) : ByteMutation(der).Select(d => ((string What, byte[] Bytes)?)d)
               select damage is not { } d
                   ? c
                   : With(c, $"DER of block at {body.Index}: {d.What}",
                       c.Text[..body.Groups[1].Index] + Wrap(Convert.ToBase64String(d.Bytes)) + c.Text[(body.Groups[1].Index + body.Groups[1].Length)..]);
    }

    /// <summary>One damage to bytes: a flipped bit, a set byte, truncation, inserted or deleted bytes, a broken ASN.1 length.</summary>
    public static Gen<(string What, byte[] Bytes)> ByteMutation(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 8).Select(b => ("replace empty with 8 random bytes", b));
        }

        var randomByte = Gen.Choose(0, 255).Select(i => (byte)i);
        Gen<(string What, byte[] Bytes)> flip =
            from position in Gen.Choose(0, bytes.Length - 1)
            from bit in Gen.Choose(0, 7)
            select ($"flip bit {bit} of byte {position}", Changed(bytes, position, (byte)(bytes[position] ^ (1 << bit))));
        Gen<(string What, byte[] Bytes)> set =
            from position in Gen.Choose(0, bytes.Length - 1)
            from value in Gen.Choose(0, 255)
            select ($"set byte {position} to 0x{value:X2}", Changed(bytes, position, (byte)value));
        Gen<(string What, byte[] Bytes)> truncate =
            Gen.Choose(0, bytes.Length - 1).Select(at => ($"truncate at byte {at}", bytes[..at]));
        Gen<(string What, byte[] Bytes)> insert =
            from position in Gen.Choose(0, bytes.Length)
            from inserted in Gen.Choose(1, 16).SelectMany(n => Gen.ArrayOf(randomByte, n))
            select ($"insert {inserted.Length} random bytes at {position}", (byte[])[.. bytes[..position], .. inserted, .. bytes[position..]]);
        Gen<(string What, byte[] Bytes)> delete =
            from position in Gen.Choose(0, bytes.Length - 1)
            from count in Gen.Choose(1, 16)
            select ($"delete {Math.Min(count, bytes.Length - position)} bytes at {position}",
                (byte[])[.. bytes[..position], .. bytes[(position + Math.Min(count, bytes.Length - position))..]]);
        return Gen.Frequency((4, flip), (2, set), (2, truncate), (1, insert), (1, delete), (2, BreakLength(bytes)));
    }

    /// <summary>Sets the length byte after a tag byte to a value that lies: zero, one, indefinite, long forms, too long.</summary>
    private static Gen<(string What, byte[] Bytes)> BreakLength(byte[] bytes)
    {
        var tags = Enumerable.Range(0, bytes.Length - 1).Where(i => bytes[i] is 0x30 or 0x31 or 0x02 or 0x03 or 0x04 or 0x05 or 0x06 or 0xA0 or 0xA1).ToArray();
        if (tags.Length == 0)
        {
            return Gen.Constant(("no tag to break", bytes));
        }

        return from tag in Gen.Elements(tags)
               from length in Gen.Frequency((3, Gen.Elements(0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x89, 0xFF)), (1, Gen.Choose(0, 255)))
               select ($"set the length after tag 0x{bytes[tag]:X2} at {tag} to 0x{length:X2}", Changed(bytes, tag + 1, (byte)length));
    }

    /// <summary>Random DER: nested SEQUENCEs of integers, OIDs the library knows, octet and bit strings, context tags.</summary>
    public static Gen<byte[]> RandomDer { get; } = Gen.Sized(size => Der(Math.Min(4, 1 + (size / 25))).Select(Encode));

    private static readonly string[] KnownOids =
    [
        "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10", "1.2.840.10045.2.1", "1.3.101.112", "1.2.840.10040.4.1", "1.2.840.113549.1.7.1",
        "1.2.840.113549.1.7.2", "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12", "1.3.6.1.4.1.11591.4.11", "2.16.840.1.101.3.4.1.42",
        "1.2.840.113549.1.12.1.3", "1.2.840.113549.2.9", "1.2.840.113549.1.9.22.1", "1.2.840.113549.1.12.10.1.2", "2.5.4.3", "1.2.3",
    ];

    private abstract record Node;

    private sealed record Leaf(Asn1Tag Tag, byte[] Content) : Node;

    private sealed record Constructed(Asn1Tag Tag, Node[] Children) : Node;

    private static Gen<Node> Der(int depth)
    {
        var integer = Gen.Frequency(
            (2, Gen.Elements(0, 1, 2, 3, 65537).Select(i => (Node)new Leaf(Asn1Tag.Integer, IntegerContent(i)))),
            (1, Gen.Choose(1, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), n)).Select(b => (Node)new Leaf(Asn1Tag.Integer, b))));
        var oid = Gen.Elements(KnownOids).Select(o => (Node)new Leaf(Asn1Tag.ObjectIdentifier, OidContent(o)));
        var octets = Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), n)).Select(b => (Node)new Leaf(Asn1Tag.PrimitiveOctetString, b));
        var bits = Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), n)).Select(b => (Node)new Leaf(Asn1Tag.PrimitiveBitString, [0, .. b]));
        var nul = Gen.Constant((Node)new Leaf(Asn1Tag.Null, []));
        var leaf = Gen.Frequency((3, integer), (3, oid), (2, octets), (1, bits), (1, nul));
        if (depth == 0)
        {
            return leaf;
        }

        var children = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Der(depth - 1), n));
        var sequence = children.Select(c => (Node)new Constructed(Asn1Tag.Sequence, c));
        var context = children.Select(c => (Node)new Constructed(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true), c));
        return Gen.Frequency((2, leaf), (4, sequence), (1, context));
    }

    private static byte[] Encode(Node node)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        Write(writer, node is Constructed ? node : new Constructed(Asn1Tag.Sequence, [node]));
        return writer.Encode();
    }

    private static void Write(AsnWriter writer, Node node)
    {
        switch (node)
        {
            case Leaf leaf:
                // Raw TLV, so integers need not be minimal and bit strings need not be well formed.
                writer.WriteEncodedValue(Tlv(leaf.Tag, leaf.Content));
                break;
            case Constructed constructed:
                writer.PushSequence(constructed.Tag);
                foreach (var child in constructed.Children)
                {
                    Write(writer, child);
                }

                writer.PopSequence(constructed.Tag);
                break;
        }
    }

    private static byte[] Tlv(Asn1Tag tag, byte[] content)
    {
        var tagByte = (byte)(((int)tag.TagClass) | (tag.IsConstructed ? 0x20 : 0) | tag.TagValue);
        var length = content.Length < 0x80 ? [(byte)content.Length]
            : content.Length < 0x100 ? new byte[] { 0x81, (byte)content.Length }
            : [0x82, (byte)(content.Length >> 8), (byte)content.Length];
        return [tagByte, .. length, .. content];
    }

    private static byte[] IntegerContent(int value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(value);
        return writer.Encode()[2..];
    }

    private static byte[] OidContent(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode()[2..];
    }

    public static byte[] Changed(byte[] bytes, int position, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] = value;
        return copy;
    }

    /// <summary>A PEM block with any label, even one <see cref="System.Security.Cryptography.PemEncoding"/> would refuse to write.</summary>
    public static string Pem(string label, byte[] der) => $"-----BEGIN {label}-----\n{Wrap(Convert.ToBase64String(der))}\n-----END {label}-----\n";

    public static string Wrap(string base64) =>
        string.Join('\n', Enumerable.Range(0, (base64.Length + 63) / 64).Select(i => base64.Substring(i * 64, Math.Min(64, base64.Length - (i * 64)))));

    /// <summary>A short printable form of generated text for recipes.</summary>
    public static string Show(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text.Length > 24 ? text[..24] : text)
        {
            builder.Append(c is >= ' ' and < (char)0x7F ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return builder.Append(text.Length > 24 ? $"...\" ({text.Length} chars)" : "\"").ToString();
    }

    private static TextCase With(TextCase c, string what, string text) => c with { Recipe = $"{c.Recipe} | {what}", Text = text };

    private static int[] LineStarts(string text) =>
        [0, .. Enumerable.Range(0, text.Length).Where(i => text[i] == '\n').Select(i => i + 1)];

    private static string Swap(string text, Match a, Match b)
    {
        var (first, second) = a.Index < b.Index ? (a, b) : (b, a);
        return text[..first.Index] + second.Value + text[(first.Index + first.Length)..second.Index] + first.Value + text[(second.Index + second.Length)..];
    }

    private static byte[]? TryDecode(string base64Lines)
    {
        var compact = new string(base64Lines.Where(c => !char.IsWhiteSpace(c)).ToArray());
        var buffer = new byte[compact.Length];
        return Convert.TryFromBase64String(compact, buffer, out var written) && written > 0 ? buffer[..written] : null;
    }

    [GeneratedRegex("-----BEGIN [^-\n]*-----")]
    private static partial Regex BeginMarker();

    [GeneratedRegex("-----END [^-\n]*-----")]
    private static partial Regex EndMarker();

    [GeneratedRegex("-----(BEGIN|END) ([^-\n]*)-----")]
    private static partial Regex AnyMarker();

    /// <summary>The base64 lines of a block: after the BEGIN line and any header lines (with a colon) and blank line.</summary>
    [GeneratedRegex(@"-----BEGIN [^-\n]*-----\n(?:[^\n:]*:[^\n]*\n)*\n?([A-Za-z0-9+/=\n]*?)\n?-----END")]
    private static partial Regex Base64Body();
}
