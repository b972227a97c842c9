using System.Collections.Concurrent;

namespace CertCredentials.Testing.TokenService;

/// <summary>
/// The <c>jti</c> values of accepted client assertions, per client. Entries whose assertion can no longer pass the
/// time checks are pruned now and then, so that a long benchmark does not grow it without bound. Thread-safe.
/// </summary>
internal sealed class JtiReplayCache
{
    private const int PruneEvery = 4096;
    private readonly ConcurrentDictionary<string, double> _seen = new(StringComparer.Ordinal);
    private int _adds;

    /// <summary>True when the jti was already used by an accepted assertion of the client.</summary>
    public bool Contains(string clientId, string jti) => _seen.ContainsKey(Key(clientId, jti));

    /// <summary>Adds the jti; false when it was already seen (a replay). Atomic.</summary>
    /// <param name="clientId">The client the assertion authenticated.</param>
    /// <param name="jti">The assertion's jti.</param>
    /// <param name="forgetAfterUnixSeconds">When the entry may be forgotten: the assertion's exp plus the clock skew.</param>
    /// <param name="nowUnixSeconds">The service's clock.</param>
    public bool TryAdd(string clientId, string jti, double forgetAfterUnixSeconds, double nowUnixSeconds)
    {
        if (!_seen.TryAdd(Key(clientId, jti), forgetAfterUnixSeconds))
        {
            return false;
        }

        if (Interlocked.Increment(ref _adds) % PruneEvery == 0)
        {
            foreach (var entry in _seen)
            {
                if (entry.Value < nowUnixSeconds)
                {
                    _seen.TryRemove(entry);
                }
            }
        }

        return true;
    }

    private static string Key(string clientId, string jti) => clientId + "\n" + jti;
}
