namespace CertCredentials.Azure.KeyVault;

/// <summary>What went wrong with a Key Vault request, for the caller to decide (start fails, a reload keeps the old key).</summary>
internal enum KeyVaultFailureKind
{
    /// <summary>No answer: DNS, connection, TLS, timeout.</summary>
    Unreachable,

    /// <summary>401: the vault refused the vault credential's token.</summary>
    Unauthenticated,

    /// <summary>403 for a missing permission, role or firewall rule.</summary>
    Forbidden,

    /// <summary>404: no such certificate, secret, key or version.</summary>
    NotFound,

    /// <summary>The version is disabled, or its key expired or not yet valid.</summary>
    NotUsable,

    /// <summary>The vault's answer cannot be used (another status, a body that does not parse, a key that is not RSA).</summary>
    Unexpected,
}
