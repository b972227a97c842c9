namespace CertCredentials.Testing.KeyVault;

/// <summary>
/// An error answer as Key Vault words it: <c>{"error":{"code","message","innererror":{"code"}}}</c>, the shape its
/// REST reference and the Azure SDK's <c>RequestFailedException</c> read.
/// </summary>
internal sealed record VaultError(int StatusCode, string Code, string Message, string? InnerCode = null)
{
    public static VaultError MissingToken() =>
        new(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");

    public static VaultError InvalidAudience(string expected, string? found) =>
        new(401, "Unauthorized", $"AKV10022: Invalid audience. Expected {expected}, found: {found}.");

    public static VaultError InvalidIssuer(string expected, string? found) =>
        new(401, "Unauthorized", $"AKV10032: Invalid issuer. Expected one of {expected}, found: {found}.");

    public static VaultError InvalidToken(string reason) =>
        new(401, "Unauthorized", $"Token validation failed: {reason}");

    public static VaultError MissingApiVersion() =>
        new(400, "BadParameter", "The 'api-version' query parameter is missing.");

    public static VaultError BadParameter(string message) => new(400, "BadParameter", message);

    public static VaultError NotFound(string kind, string nameOrId)
    {
        var code = kind switch
        {
            "certificate" => "CertificateNotFound",
            "secret" => "SecretNotFound",
            _ => "KeyNotFound",
        };
        var article = kind == "certificate" ? "A certificate" : kind == "secret" ? "A secret" : "A key";
        return new(404, code, $"{article} with (name/id) {nameOrId} was not found in this key vault. If you recently deleted this {kind} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
    }

    public static VaultError Disabled(string operation, string kind) =>
        new(403, "Forbidden", $"Operation {operation} is not allowed on a disabled {kind}.", kind == "secret" ? "SecretDisabled" : "KeyDisabled");

    public static VaultError KeyExpired(string operation) =>
        new(403, "Forbidden", $"Operation {operation} is not allowed on an expired key.", "KeyExpired");

    public static VaultError KeyNotYetValid(string operation) =>
        new(403, "Forbidden", $"Operation {operation} is not allowed on a key that is not yet valid.", "KeyNotYetValid");

    public static VaultError AccessPolicyDenied(string caller, string permission, string vaultName) =>
        new(403, "Forbidden",
            $"The user, group or application '{caller}' does not have {permission} permission on key vault '{vaultName};location=local'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
            "AccessDenied");

    public static VaultError RbacDenied(string caller, string action, string vaultName) =>
        new(403, "Forbidden",
            "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"
            + $"Caller: {caller}\r\nAction: '{action}'\r\nResource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/providers/microsoft.keyvault/vaults/{vaultName}'\r\n"
            + $"Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: {vaultName};location=local\r\n",
            "ForbiddenByRbac");

    public static VaultError IncompatibleKey(string algorithm, string keyType) =>
        new(400, "BadParameter", $"Key and signing algorithm are incompatible: '{algorithm}' cannot be used with a key of type '{keyType}'.");

    /// <summary>The code recorded for the request: the inner error's when there is one.</summary>
    public string RecordedCode => InnerCode ?? Code;
}
