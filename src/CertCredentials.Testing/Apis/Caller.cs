namespace CertCredentials.Testing.Apis;

/// <summary>The application an accepted token was issued to.</summary>
/// <param name="AppId">Its <c>appid</c>.</param>
/// <param name="TenantId">Its <c>tid</c>.</param>
/// <param name="Roles">Its <c>roles</c> (application permissions), empty when none.</param>
internal sealed record Caller(string AppId, string TenantId, IReadOnlyList<string> Roles);
