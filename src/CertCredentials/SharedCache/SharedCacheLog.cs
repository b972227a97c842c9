using Microsoft.Extensions.Logging;

namespace CertCredentials.SharedCache;

/// <summary>The shared cache's log events (1400-1499). No token, key or entry bytes in any of them.</summary>
internal static partial class SharedCacheLog
{
    [LoggerMessage(1400, LogLevel.Warning, "The shared token store {Store} failed ({Operation}: {Reason}); tokens are requested directly by this instance until it answers again")]
    public static partial void StoreFailed(ILogger logger, string store, string operation, string reason);

    [LoggerMessage(1401, LogLevel.Information, "The shared token store {Store} answers again; tokens are shared with the other instances")]
    public static partial void StoreRecovered(ILogger logger, string store);

    [LoggerMessage(1402, LogLevel.Warning, "An entry of the shared token store for {Scope} was refused ({Reason}); a new token replaces it")]
    public static partial void EntryRefused(ILogger logger, string scope, string reason);

    [LoggerMessage(1403, LogLevel.Debug, "Took the token for {Scope} from the shared token store (another instance requested it); it expires at {ExpiresOn:u}")]
    public static partial void TokenFromStore(ILogger logger, string scope, DateTimeOffset expiresOn);

    [LoggerMessage(1404, LogLevel.Information, "Another instance's token request for {Scope} took longer than RequestTimeout ({Waited:F1} s); this instance requests its own")]
    public static partial void StoppedWaiting(ILogger logger, string scope, double waited);

    [LoggerMessage(1405, LogLevel.Warning, "The shared token store key could not be derived from the certificate {Thumbprint} ({Reason}); tokens are requested directly")]
    public static partial void KeyDerivationFailed(ILogger logger, string thumbprint, string reason);
}
