namespace CertCredentials.TokenEndpoint;

/// <summary>What a response reader needs to word its errors: where the request went and for whom. No secrets.</summary>
internal sealed record TokenRequestContext(Uri Endpoint, string ClientId, string Tenant, string Thumbprint, string CorrelationId, TimeProvider TimeProvider);
