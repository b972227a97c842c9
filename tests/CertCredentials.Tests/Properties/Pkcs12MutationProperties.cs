using CertCredentials.Keys;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Damaged PKCS#12 files, given as a file path and as base64 text (as Key Vault stores them), are refused with a
/// <see cref="CertificateCredentialException"/> that holds no secret, or still load a working key; within a bound.
/// </summary>
public sealed class Pkcs12MutationProperties(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("certcredentials-pkcs12-").FullName;
    private int _files;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public Task Damaged_pkcs12_files_are_refused_with_a_typed_error_or_still_sign()
    {
        var run = new PropertyRun(output);
        return run.CheckAsync(Mutations.OfBytes(Seeds.Pkcs12).ToArbitrary(), 150, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(privateKeyPath: Write(c.Bytes), passphrase: c.Passphrase, thumbprint: Seeds.Sha1),
                Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Damaged_pkcs12_without_a_mac_is_refused_with_a_typed_error_or_still_signs()
    {
        // No MAC to catch the damage first: it reaches the parsing of the certificate and key bags.
        var run = new PropertyRun(output);
        var seed = Seeds.Pkcs12.Where(s => s.Name.Contains("without a MAC", StringComparison.Ordinal)).ToArray();
        return run.CheckAsync(Mutations.OfBytes(seed, maxMutations: 2).ToArbitrary(), 200, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(Convert.ToBase64String(c.Bytes), c.Passphrase, thumbprint: Seeds.Sha1),
                Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Damaged_base64_pkcs12_text_is_refused_with_a_typed_error_or_still_signs()
    {
        var run = new PropertyRun(output);
        var text = Seeds.Pkcs12.Select(s => s with { Name = s.Name + " as base64" }).ToArray();
        var cases = Gen.OneOf(
            Mutations.OfText(text),
            Mutations.OfBytes(Seeds.Pkcs12).Select(b => new TextCase(b.Seed, b.Recipe + " | base64", Convert.ToBase64String(b.Bytes), b.Passphrase)));
        return run.CheckAsync(cases.ToArbitrary(), 150, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(c.Text, c.Passphrase, thumbprint: Seeds.Sha1), Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Pkcs12_truncated_at_any_byte_is_always_refused()
    {
        var run = new PropertyRun(output);
        var cuts = from seed in Gen.Elements(Seeds.Pkcs12)
                   from at in Gen.Choose(0, seed.Bytes.Length - 1)
                   from asText in Gen.Elements(false, true)
                   select new BinaryCase(seed, $"{seed.Name} | truncate at byte {at} | given as {(asText ? "base64 text" : "a file")}", seed.Bytes[..at], seed.Passphrase);
        return run.CheckAsync(cuts.ToArbitrary(), 150, c =>
        {
            var options = c.Recipe.EndsWith("text", StringComparison.Ordinal)
                ? Expect.Options(Convert.ToBase64String(c.Bytes), c.Passphrase, thumbprint: Seeds.Sha1)
                : Expect.Options(privateKeyPath: Write(c.Bytes), passphrase: c.Passphrase, thumbprint: Seeds.Sha1);
            using var material = Expect.Call(run, c, () => KeyMaterialLoader.Load(options), Seeds.SecretsOf(c.Seed, c.Passphrase));
            material.Should().BeNull("{0} is cut short", c);
        });
    }

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(_directory, $"{Interlocked.Increment(ref _files)}.pfx");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
