namespace CertCredentials.TokenEndpoint;

/// <summary>
/// What a response reader needs to word its errors: where the request went, for whom, and which certificate signed its
/// assertion (named in messages, and reported when Entra refuses it). No secrets.
/// </summary>
internal sealed record TokenRequestContext(Uri Endpoint, string ClientId, string Tenant, CertificateThumbprint SignedWith, string CorrelationId, TimeProvider TimeProvider)
{
    public string Thumbprint => SignedWith.ToString();
}
