namespace CertCredentials.Configuration;

/// <summary>What an echoed option holds, so <see cref="OptionText"/> can tell its value from a secret pasted into it.</summary>
internal enum OptionKind
{
    /// <summary>TenantId: a GUID (braces allowed) or a domain name.</summary>
    Tenant,

    /// <summary>ClientId: a GUID, or with a TokenEndpoint of another service an ID of letters, digits and <c>-._:@{}</c>.</summary>
    ClientId,

    /// <summary>Scope: a URI or GUID (usually ending in <c>/.default</c>), or a permission name.</summary>
    Scope,

    /// <summary>PrivateKeyPath, CertificatePath: a file path.</summary>
    Path,

    /// <summary>AuthorityHost, TokenEndpoint: an absolute http(s) URL.</summary>
    Url,

    /// <summary>SigningAlgorithm: RS256, PS256 or a similar short name.</summary>
    Algorithm,

    /// <summary>CertificateThumbprint: a thumbprint in one of the forms <see cref="Thumbprints.ThumbprintText"/> reads.</summary>
    Thumbprint,
}
