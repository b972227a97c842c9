namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>Waits for a condition that background work makes true, bounded so a test never hangs.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, int timeoutMilliseconds = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                condition().Should().BeTrue($"it should become true within {timeoutMilliseconds} ms: {because}");
                return;
            }

            await Task.Delay(10);
        }
    }
}
