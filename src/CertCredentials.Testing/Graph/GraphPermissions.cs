namespace CertCredentials.Testing.Graph;

/// <summary>The application permissions (roles) Microsoft Graph accepts for each read this API serves.</summary>
internal static class GraphPermissions
{
    public static readonly string[] ReadOrganization =
        ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

    public static readonly string[] ReadUsers =
        ["User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All", "Directory.ReadWrite.All"];

    public static bool Allows(IReadOnlyList<string> roles, string[] accepted) =>
        roles.Any(r => Array.Exists(accepted, a => string.Equals(a, r, StringComparison.OrdinalIgnoreCase)));
}
