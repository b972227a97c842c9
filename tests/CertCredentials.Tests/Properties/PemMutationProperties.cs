using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Damaged PEM key text (PKCS#8, PKCS#1, bundles, pasted forms, encrypted and legacy-encrypted) is refused with a
/// <see cref="CertificateCredentialException"/> that holds no secret, or, when the damage happens to leave the key
/// intact, loads a key that signs and verifies. Nothing else ever comes out, and every call returns within a bound.
/// </summary>
public sealed class PemMutationProperties(ITestOutputHelper output)
{
    private static readonly Gen<string?> Passphrases = Gen.Frequency(
        (8, Gen.Constant<string?>(Seeds.P)),
        (1, Gen.Constant<string?>(null)),
        (1, Gen.Constant<string?>(string.Empty)),
        (1, Gen.Constant<string?>(Seeds.P + "\n")),
        (1, Mutations.AnyString(20).Where(s => s.Length >= 8).Select(s => (string?)s)));

    [Fact]
    public Task Damaged_plain_pem_keys_are_refused_with_a_typed_error_or_still_sign()
    {
        var run = new PropertyRun(output);
        return run.CheckAsync(Mutations.OfText(Seeds.PlainPem).ToArbitrary(), 300, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(c.Text, c.Passphrase, thumbprint: Seeds.Sha1), Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Damaged_encrypted_and_legacy_encrypted_keys_are_refused_with_a_typed_error_or_still_sign()
    {
        var run = new PropertyRun(output);
        return run.CheckAsync(Mutations.OfText(Seeds.EncryptedPem, passphrase: Passphrases).ToArbitrary(), 120, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(c.Text, c.Passphrase, thumbprint: Seeds.Sha1), Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public async Task Damaged_keys_given_to_the_public_constructor_are_refused_or_sign_assertions_for_their_certificate()
    {
        var run = new PropertyRun(output);
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        var certificatePem = Fixture.Text("rsa2048.crt.pem");
        Seed[] rsa2048 = [.. Seeds.PlainPem.Where(s => s.Name.StartsWith("rsa2048", StringComparison.Ordinal)), .. Seeds.EncryptedPem.Where(s => !s.Name.Contains("des", StringComparison.Ordinal))];
        await run.CheckAsync(Mutations.OfText(rsa2048).ToArbitrary(), 120, c =>
            Expect.CredentialRefusesOrSigns(run, c, Expect.Options(c.Text, c.Passphrase, certificate: certificatePem), certificate, Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Pem_with_swapped_or_relabelled_begin_and_end_lines_is_refused_or_read_as_the_label_says()
    {
        var run = new PropertyRun(output);
        var headers = from seed in Gen.Elements([.. Seeds.PlainPem, .. Seeds.EncryptedPem])
                      let start = new TextCase(seed, seed.Name, seed.Text, seed.Passphrase)
                      from once in Gen.OneOf(Mutations.SwapBeginAndEnd(start), Mutations.Relabel(start))
                      from twice in Gen.OneOf(Gen.Constant(once), Mutations.Relabel(once), Mutations.SwapBeginAndEnd(once))
                      select twice;
        return run.CheckAsync(headers.ToArbitrary(), 200, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(c.Text, c.Passphrase, thumbprint: Seeds.Sha1), Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Pem_with_garbage_lines_inserted_anywhere_is_refused_or_still_signs()
    {
        var run = new PropertyRun(output);
        var garbage = from seed in Gen.Elements([.. Seeds.PlainPem, .. Seeds.EncryptedPem])
                      let start = new TextCase(seed, seed.Name, seed.Text, seed.Passphrase)
                      from count in Gen.Choose(1, 4)
                      from mutated in Repeat(start, count, Mutations.InsertGarbageLine)
                      select mutated;
        return run.CheckAsync(garbage.ToArbitrary(), 200, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(c.Text, c.Passphrase, thumbprint: Seeds.Sha1), Seeds.SecretsOf(c.Seed, c.Passphrase)));
    }

    [Fact]
    public Task Pem_key_truncated_before_its_end_line_is_always_refused_and_after_it_always_loads()
    {
        var run = new PropertyRun(output);
        Seed[] keys = [.. Seeds.PlainPem.Where(s => s.Name is "rsa2048.pkcs8.pem" or "rsa2048.pkcs1.pem" or "rsa2048.pkcs8.crlf.pem"), .. Seeds.EncryptedPem.Where(s => s.Name.EndsWith(".pem", StringComparison.Ordinal))];
        var truncations = from seed in Gen.Elements(keys)
                          from at in Gen.Choose(0, seed.Text.Length)
                          select new TextCase(seed, $"{seed.Name} | truncate at {at}", seed.Text[..at], seed.Passphrase);
        return run.CheckAsync(truncations.ToArbitrary(), 200, c =>
        {
            var endOfEndLine = c.Seed.Text.LastIndexOf("-----", StringComparison.Ordinal) + 5;
            using var material = Expect.Call(run, c, () => KeyMaterialLoader.Load(Expect.Options(c.Text, c.Passphrase, thumbprint: Seeds.Sha1)), Seeds.SecretsOf(c.Seed, c.Passphrase));
            if (c.Text.Length < endOfEndLine)
            {
                material.Should().BeNull("{0} cuts the key before its END line", c);
            }
            else
            {
                material.Should().NotBeNull("{0} keeps the whole block", c);
                Expect.AssertSignsAndVerifies(material!.PrivateKey, c);
            }
        });
    }

    [Fact]
    public Task Pem_key_with_one_flipped_bit_in_its_der_is_refused_or_is_still_a_working_key()
    {
        var run = new PropertyRun(output);
        var flips = from seed in Gen.Elements(Seeds.PlainPem.Where(s => s.Name is "rsa2048.pkcs8.pem" or "rsa2048.pkcs1.pem").ToArray())
                    from flipped in Mutations.DamageDer(new TextCase(seed, seed.Name, seed.Text, null))
                    select flipped;
        return run.CheckAsync(flips.ToArbitrary(), 300, c =>
            Expect.LoaderRefusesOrLoadsWorkingKey(run, c, Expect.Options(c.Text, thumbprint: Seeds.Sha1), Seeds.SecretsOf(c.Seed, null)));
    }

    private static Gen<TextCase> Repeat(TextCase start, int count, Func<TextCase, Gen<TextCase>> mutate) =>
        count == 0 ? Gen.Constant(start) : mutate(start).SelectMany(next => Repeat(next, count - 1, mutate));
}
