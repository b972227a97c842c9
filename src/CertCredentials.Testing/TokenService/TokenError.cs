using System.Globalization;

namespace CertCredentials.Testing.TokenService;

/// <summary>A refusal of the token endpoint: HTTP status, OAuth <c>error</c>, AADSTS code and message.</summary>
internal sealed record TokenError(int StatusCode, string Error, int Code, string Message)
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidResource = "invalid_resource";
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    /// <summary>The description as Entra writes it, without the trace lines: <c>AADSTSnnnn: message</c>.</summary>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"AADSTS{Code}: {Message}");

    public static TokenError BadRequest(string error, int code, string message) => new(400, error, code, message);

    public static TokenError Unauthorized(int code, string message) => new(401, InvalidClient, code, message);

    /// <summary>The default body of a fault: an Entra-shaped error suited to the status code.</summary>
    public static TokenError ForFault(int statusCode) => statusCode switch
    {
        429 => new(statusCode, TemporarilyUnavailable, 90055,
            "The tenant is throttled: too many requests were sent. Retry after the period given by Retry-After."),
        408 or >= 500 => new(statusCode, TemporarilyUnavailable, 90033,
            "A transient error has occurred. Please try again."),
        _ => new(statusCode, InvalidRequest, 50000,
            "There was an error issuing a token or an issue with our sign-in service."),
    };
}
