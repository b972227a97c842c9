namespace CertCredentials.Testing.TokenService;

/// <summary>An accepted token request: what the access token is issued for.</summary>
/// <param name="Tenant">The tenant as registered.</param>
/// <param name="Application">The authenticated application.</param>
/// <param name="Resource">The resource (the token's audience) as registered.</param>
/// <param name="ClientCapableOfCae">True when the <c>claims</c> parameter declared the <c>cp1</c> capability.</param>
internal sealed record TokenGrant(string Tenant, RegisteredApplication Application, string Resource, bool ClientCapableOfCae);
