namespace CertCredentials.TokenEndpoint;

/// <summary>The fields of a token endpoint JSON body, success or error, as read (nothing validated yet).</summary>
internal sealed class TokenResponseFields
{
    public string? AccessToken { get; set; }

    public string? TokenType { get; set; }

    public string? ExpiresIn { get; set; }

    public string? RefreshIn { get; set; }

    public string? Error { get; set; }

    public string? ErrorDescription { get; set; }

    public List<int> ErrorCodes { get; } = [];

    public string? TraceId { get; set; }

    public string? CorrelationId { get; set; }
}
