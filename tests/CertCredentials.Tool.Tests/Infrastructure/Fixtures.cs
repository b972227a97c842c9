namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>The library's openssl-made test files (tests/CertCredentials.Tests/Fixtures, linked into this output).</summary>
public static class Fixtures
{
    /// <summary>The passphrase of every encrypted fixture (test-only keys).</summary>
    public const string Passphrase = "Test-Passphrase-1!";

    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The thumbprints openssl computed for a fixture certificate, e.g. <c>sha1_hex</c>, <c>sha256_b64url</c>.</summary>
    public static IReadOnlyDictionary<string, string> Thumbprints(string name) =>
        File.ReadAllLines(Path(name + ".thumbprints.txt"))
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
}
