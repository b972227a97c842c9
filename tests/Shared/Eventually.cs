using FluentAssertions;

namespace CertCredentials.TestSupport;

/// <summary>Waits for a condition that background work makes true, bounded so a test never hangs, then asserts it.</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string because, int timeoutMilliseconds = 10_000) =>
        TrueAsync(() => Task.FromResult(condition()), because, timeoutMilliseconds);

    /// <param name="condition">Checked every <paramref name="pollMilliseconds"/>; it may act (a refresh, a read) as it checks.</param>
    /// <param name="because">What the condition means, for the failure message.</param>
    /// <param name="timeoutMilliseconds">How long to wait before asserting.</param>
    /// <param name="pollMilliseconds">The pause between checks: longer where each check costs a request.</param>
    public static async Task TrueAsync(Func<Task<bool>> condition, string because, int timeoutMilliseconds = 10_000, int pollMilliseconds = 10)
    {
        var deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                (await condition()).Should().BeTrue($"it should become true within {timeoutMilliseconds} ms: {because}");
                return;
            }

            await Task.Delay(pollMilliseconds);
        }
    }
}
