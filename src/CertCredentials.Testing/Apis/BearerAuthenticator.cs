using CertCredentials.Testing.TokenService;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.Apis;

/// <summary>
/// Checks bearer tokens as a resource protected by a <see cref="LocalTokenService"/> does: signature, issuer,
/// audience and lifetime on the service's clock, then CAE revocations of CAE-capable tokens, then rejections asked
/// for by the test. Shared by the protected APIs of this package. Thread-safe.
/// </summary>
internal sealed class BearerAuthenticator
{
    private const string Scheme = "Bearer ";
    private readonly LocalTokenService _issuer;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _validationParameters;
    private int _rejectNext;

    public BearerAuthenticator(LocalTokenService issuer, string tenant, string audience)
    {
        _issuer = issuer;
        _validationParameters = issuer.CreateValidationParameters(tenant, audience);
    }

    /// <summary>Answers the next <paramref name="count"/> otherwise accepted tokens as invalid.</summary>
    public void RejectNext(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Volatile.Write(ref _rejectNext, count);
    }

    /// <summary>Reads the request's bearer token without validating it.</summary>
    public PresentedToken Inspect(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var hadAuthorization = request.Headers.ContainsKey("Authorization");
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new PresentedToken(hadAuthorization, null, false, null);
        }

        var raw = authorization[Scheme.Length..].Trim();
        try
        {
            var jwt = new JsonWebToken(raw);
            var id = jwt.TryGetPayloadValue<string>("uti", out var uti) ? uti : jwt.Id;
            var expired = jwt.TryGetPayloadValue<long>("exp", out var exp)
                && _issuer.TimeProvider.GetUtcNow().ToUnixTimeSeconds() >= exp;
            return new PresentedToken(hadAuthorization, raw, expired, string.IsNullOrEmpty(id) ? null : id);
        }
        catch (ArgumentException)
        {
            return new PresentedToken(hadAuthorization, raw, false, null);
        }
    }

    /// <summary>Checks the request's bearer token.</summary>
    public async Task<BearerCheck> AuthenticateAsync(HttpRequest request)
    {
        var token = Inspect(request);
        if (token.Raw is null)
        {
            return new BearerCheck(BearerOutcome.Invalid, token, token.HadAuthorization
                ? "The Authorization header is not a Bearer token."
                : "No access token was presented.");
        }

        var result = await _handler.ValidateTokenAsync(token.Raw, _validationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return new BearerCheck(BearerOutcome.Invalid, token, token.Expired
                ? "The token is expired."
                : $"The token is not valid: {result.Exception?.GetType().Name ?? "validation failed"}.");
        }

        token = token with { Valid = true };
        var jwt = (JsonWebToken)result.SecurityToken;
        var appId = jwt.TryGetPayloadValue<string>("appid", out var a) ? a : string.Empty;
        var tenantId = jwt.TryGetPayloadValue<string>("tid", out var t) ? t : string.Empty;
        var capable = jwt.Claims.Any(c => c.Type == "xms_cc" && c.Value == "cp1");
        if (capable
            && _issuer.TryGetRevocation(appId, out var revocation)
            && (!jwt.TryGetPayloadValue<long>(AccessTokenIssuer.SequenceClaim, out var sequence) || sequence < revocation.Sequence))
        {
            return new BearerCheck(BearerOutcome.Revoked, token, Revocation: revocation);
        }

        if (TryConsumeRejection())
        {
            return new BearerCheck(BearerOutcome.Invalid, token, "The token was rejected by the resource.");
        }

        var roles = jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value).ToList();
        return new BearerCheck(BearerOutcome.Accepted, token, Caller: new Caller(appId, tenantId, roles));
    }

    private bool TryConsumeRejection()
    {
        while (true)
        {
            var current = Volatile.Read(ref _rejectNext);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _rejectNext, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
