namespace CertCredentials.Testing.Tests.Infrastructure;

/// <summary>Where the tests' <c>FakeTimeProvider</c> starts: inside the test certificates' validity (the package's default, 2000, is not).</summary>
internal static class TestClock
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
}
