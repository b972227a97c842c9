namespace CertCredentials.Testing;

/// <summary>How a <see cref="LocalKeyVault"/> words its 403 answers: as a vault with access policies or with Azure RBAC.</summary>
public enum KeyVaultPermissionModel
{
    /// <summary>
    /// Access policies: <c>does not have secrets get permission on key vault ...</c>, inner error <c>AccessDenied</c>.
    /// </summary>
    AccessPolicy,

    /// <summary>
    /// Azure RBAC: <c>Caller is not authorized to perform action on resource ... Action: '...'</c>, inner error
    /// <c>ForbiddenByRbac</c>.
    /// </summary>
    Rbac,
}
