using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CertCredentials.Testing.Graph;

/// <summary>
/// The organization and users a <see cref="LocalGraphApi"/> serves, as Microsoft Graph v1.0 shapes them (the
/// properties it returns by default, in its order). Entities are kept as JSON text and handed out as new nodes (a
/// node has one parent and is not safe to share between threads), so the directory is thread-safe.
/// </summary>
internal sealed class GraphDirectory
{
    private readonly List<(string Id, string UserPrincipalName, string Json)> _users;
    private readonly string _organization;

    public GraphDirectory(string tenant, LocalGraphApiOptions options)
    {
        var domain = options.InitialDomain ?? (tenant.Contains('.', StringComparison.Ordinal) ? tenant : "contoso.onmicrosoft.com");
        OrganizationId = Guid.TryParse(tenant, out var id) ? id.ToString() : DeterministicGuid(tenant);
        _organization = CreateOrganization(OrganizationId, options.OrganizationDisplayName, domain).ToJsonString();
        _users = [.. (options.Users ?? SampleUsers(domain)).Select(u => (u.Id, u.UserPrincipalName, ToJson(u).ToJsonString()))];
    }

    /// <summary>The organization's ID: the tenant when it is a GUID, else a GUID derived from its name.</summary>
    public string OrganizationId { get; }

    /// <summary>The organization, with every property Graph returns for it by default.</summary>
    public JsonObject Organization() => Parse(_organization);

    public int UserCount => _users.Count;

    /// <summary>The users from <paramref name="skip"/>, at most <paramref name="take"/>, in directory order.</summary>
    public IEnumerable<JsonObject> Users(int skip, int take) => _users.Skip(skip).Take(take).Select(u => Parse(u.Json));

    /// <summary>Finds a user by object ID or user principal name (both case-insensitive, as Graph matches them).</summary>
    public JsonObject? FindUser(string idOrUserPrincipalName) => _users
        .Where(u => string.Equals(u.Id, idOrUserPrincipalName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(u.UserPrincipalName, idOrUserPrincipalName, StringComparison.OrdinalIgnoreCase))
        .Select(u => Parse(u.Json))
        .FirstOrDefault();

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject CreateOrganization(string id, string displayName, string domain) => new()
    {
        ["id"] = id,
        ["deletedDateTime"] = null,
        ["businessPhones"] = new JsonArray(),
        ["city"] = null,
        ["country"] = null,
        ["countryLetterCode"] = "US",
        ["createdDateTime"] = "2020-01-01T00:00:00Z",
        ["defaultUsageLocation"] = null,
        ["displayName"] = displayName,
        ["marketingNotificationEmails"] = new JsonArray(),
        ["onPremisesLastSyncDateTime"] = null,
        ["onPremisesSyncEnabled"] = null,
        ["postalCode"] = null,
        ["preferredLanguage"] = "en-US",
        ["securityComplianceNotificationMails"] = new JsonArray(),
        ["securityComplianceNotificationPhones"] = new JsonArray(),
        ["state"] = null,
        ["street"] = null,
        ["technicalNotificationMails"] = new JsonArray(),
        ["tenantType"] = "AAD",
        ["directorySizeQuota"] = new JsonObject { ["used"] = 0, ["total"] = 50000 },
        ["privacyProfile"] = null,
        ["assignedPlans"] = new JsonArray(),
        ["onPremisesSyncStatus"] = new JsonArray(),
        ["provisionedPlans"] = new JsonArray(),
        ["verifiedDomains"] = new JsonArray(new JsonObject
        {
            ["capabilities"] = "Email, OfficeCommunicationsOnline",
            ["isDefault"] = true,
            ["isInitial"] = true,
            ["name"] = domain,
            ["type"] = "Managed",
        }),
    };

    private static JsonObject ToJson(LocalGraphUser user) => new()
    {
        ["businessPhones"] = new JsonArray([.. user.BusinessPhones.Select(p => (JsonNode)p)]),
        ["displayName"] = user.DisplayName,
        ["givenName"] = user.GivenName,
        ["jobTitle"] = user.JobTitle,
        ["mail"] = user.Mail,
        ["mobilePhone"] = user.MobilePhone,
        ["officeLocation"] = user.OfficeLocation,
        ["preferredLanguage"] = user.PreferredLanguage,
        ["surname"] = user.Surname,
        ["userPrincipalName"] = user.UserPrincipalName,
        ["id"] = user.Id,
    };

    private static LocalGraphUser[] SampleUsers(string domain) =>
    [
        Sample("87d349ed-44d7-43e1-9a83-5f2406dee5bd", "Adele", "Vance", "AdeleV", "Retail Manager", "18/2111", domain),
        Sample("6e7b768e-07e2-4810-8459-485f84f8f204", "Alex", "Wilber", "AlexW", "Marketing Assistant", "131/1104", domain),
        Sample("48d31887-5fad-4d73-a9f5-3c356e68a038", "Megan", "Bowen", "MeganB", "Marketing Manager", "12/1110", domain),
    ];

    private static LocalGraphUser Sample(string id, string given, string surname, string alias, string title, string office, string domain) => new()
    {
        Id = id,
        DisplayName = $"{given} {surname}",
        GivenName = given,
        Surname = surname,
        UserPrincipalName = $"{alias}@{domain}",
        Mail = $"{alias}@{domain}",
        JobTitle = title,
        OfficeLocation = office,
        PreferredLanguage = "en-US",
        BusinessPhones = ["+1 425 555 0109"],
    };

    /// <summary>A stable GUID for a tenant given by name, so that its organization keeps one ID across runs.</summary>
    private static string DeterministicGuid(string tenant) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(tenant.ToUpperInvariant())).AsSpan(0, 16)).ToString();
}
