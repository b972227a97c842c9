namespace CertCredentials.Testing;

/// <summary>
/// A user in the directory of a <see cref="LocalGraphApi"/>, with the properties Microsoft Graph returns for a user
/// by default. Properties left null are answered as JSON null, as Graph does.
/// </summary>
public sealed record LocalGraphUser
{
    /// <summary>The object ID; a new GUID unless set.</summary>
    public string Id { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The display name, e.g. <c>Adele Vance</c>.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The user principal name, e.g. <c>AdeleV@contoso.onmicrosoft.com</c>; <c>GET /users/{upn}</c> finds it.</summary>
    public required string UserPrincipalName { get; init; }

    /// <summary>The given name.</summary>
    public string? GivenName { get; init; }

    /// <summary>The surname.</summary>
    public string? Surname { get; init; }

    /// <summary>The SMTP address.</summary>
    public string? Mail { get; init; }

    /// <summary>The job title.</summary>
    public string? JobTitle { get; init; }

    /// <summary>The office location.</summary>
    public string? OfficeLocation { get; init; }

    /// <summary>The mobile phone number.</summary>
    public string? MobilePhone { get; init; }

    /// <summary>The preferred language, e.g. <c>en-US</c>.</summary>
    public string? PreferredLanguage { get; init; }

    /// <summary>The business phone numbers (Graph answers an empty array when there are none).</summary>
    public IReadOnlyList<string> BusinessPhones { get; init; } = [];
}
