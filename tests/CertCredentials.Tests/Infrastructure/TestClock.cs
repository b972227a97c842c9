namespace CertCredentials.Tests.Infrastructure;

/// <summary>Where the tests' <c>FakeTimeProvider</c> starts: inside the fixtures' validity (the package's default, 2000, is not).</summary>
internal static class TestClock
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
}
