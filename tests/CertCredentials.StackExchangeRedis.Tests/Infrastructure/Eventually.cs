namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>Waits for a condition a background step brings about, bounded (5 s, or <c>attempts</c> x 25 ms), then asserts it.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string because, int attempts = 200)
    {
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        (await condition()).Should().BeTrue(because);
    }
}
