using System.Security.Cryptography;
using System.Text;
using CertCredentials.Keys;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Inputs that were never keys (random bytes, random unicode, random ASN.1, random base64, random PEM blocks) are
/// refused with a <see cref="CertificateCredentialException"/> that does not echo them, as text and as files.
/// </summary>
public sealed class RandomInputProperties(ITestOutputHelper output) : IDisposable
{
    private static readonly Seed Random = new("random", string.Empty);
    private readonly string _directory = Directory.CreateTempSubdirectory("certcredentials-random-").FullName;
    private int _files;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Gen<byte[]> Bytes(int maxLength) => Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), n));

    [Fact]
    public Task Random_unicode_text_is_refused_with_a_typed_error()
    {
        var run = new PropertyRun(output);
        var text = Gen.Frequency(
            (3, Mutations.AnyString(300)),
            (1, Gen.ArrayOf(Mutations.GarbageLine, 12).Select(lines => string.Join('\n', lines))));
        return run.CheckAsync(text.Select(t => new TextCase(Random, $"random text {Mutations.Show(t)}", t, null)).ToArbitrary(), 300, c =>
            Refused(run, c, Expect.Options(c.Text, thumbprint: Seeds.Sha1)));
    }

    [Fact]
    public Task Random_bytes_as_text_base64_or_a_file_are_refused_with_a_typed_error()
    {
        var run = new PropertyRun(output);
        var cases = from bytes in Bytes(3000)
                    from form in Gen.Elements("latin1 text", "utf8 text", "base64 text", "file", "file starting 0x30")
                    select (Form: form, Bytes: bytes);
        return run.CheckAsync(cases.ToArbitrary(), 300, c =>
        {
            var recipe = new TextCase(Random, $"{c.Bytes.Length} random bytes as {c.Form}", string.Empty, null);
            var options = c.Form switch
            {
                "latin1 text" => Expect.Options(Encoding.Latin1.GetString(c.Bytes), thumbprint: Seeds.Sha1),
                "utf8 text" => Expect.Options(Encoding.UTF8.GetString(c.Bytes), thumbprint: Seeds.Sha1),
                "base64 text" => Expect.Options(Convert.ToBase64String(c.Bytes), thumbprint: Seeds.Sha1),
                "file" => Expect.Options(privateKeyPath: Write(c.Bytes), thumbprint: Seeds.Sha1),
                _ => Expect.Options(privateKeyPath: Write([0x30, .. c.Bytes]), thumbprint: Seeds.Sha1),
            };
            Refused(run, recipe, options);
        });
    }

    [Fact]
    public Task Random_asn1_is_refused_with_a_typed_error_as_a_pem_block_of_any_label_base64_or_a_file()
    {
        var run = new PropertyRun(output);
        var cases = from der in Mutations.RandomDer
                    from form in Gen.Elements([.. Mutations.Labels.Where(l => l.Length > 0), "base64", "file"])
                    select (Form: form, Der: der);
        return run.CheckAsync(cases.ToArbitrary(), 300, c =>
        {
            var recipe = new TextCase(Random, $"random ASN.1 ({c.Der.Length} bytes: {Convert.ToHexString(c.Der.AsSpan(0, Math.Min(c.Der.Length, 48)))}...) as {c.Form}", string.Empty, null);
            var options = c.Form switch
            {
                "base64" => Expect.Options(Convert.ToBase64String(c.Der), Seeds.P, thumbprint: Seeds.Sha1),
                "file" => Expect.Options(privateKeyPath: Write(c.Der), passphrase: Seeds.P, thumbprint: Seeds.Sha1),
                _ => Expect.Options(Mutations.Pem(c.Form, c.Der), Seeds.P, thumbprint: Seeds.Sha1),
            };
            Refused(run, recipe, options);
        });
    }

    [Fact]
    public Task Random_text_as_a_certificate_next_to_a_valid_key_is_refused_with_a_typed_error()
    {
        var run = new PropertyRun(output);
        var key = Fixture("rsa2048.pkcs8.pem");
        var certificates = Gen.OneOf(
            Mutations.AnyString(200).Select(t => (Recipe: $"random text {Mutations.Show(t)}", Text: t)),
            Mutations.RandomDer.Select(d => (Recipe: $"random ASN.1 {Convert.ToHexString(d.AsSpan(0, Math.Min(d.Length, 48)))}", Text: new string(PemEncoding.Write("CERTIFICATE", d)))));
        return run.CheckAsync(certificates.ToArbitrary(), 200, c =>
        {
            var recipe = new TextCase(Random, c.Recipe + " as the certificate", c.Text, null);
            Expect.Call(run, recipe, () => KeyMaterialLoader.Load(Expect.Options(key, certificate: c.Text)), Seeds.Secrets)
                .Should().BeNull("{0} holds no certificate of the key, and no thumbprint is given", recipe);
        });
    }

    private static void Refused(PropertyRun run, TextCase c, CertificateClientCredentialOptions options)
    {
        using var material = Expect.Call(run, c, () => KeyMaterialLoader.Load(options), Seeds.Secrets);
        material.Should().BeNull("{0} holds no key", c);
    }

    private static string Fixture(string name) => Infrastructure.Fixture.Text(name);

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(_directory, $"{Interlocked.Increment(ref _files)}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
