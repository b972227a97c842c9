using System.Text.Json;
using Azure;

namespace CertCredentials.Azure.KeyVault;

/// <summary>Key Vault's answers and failures, worded as what to fix.</summary>
internal static class KeyVaultErrors
{
    public static KeyVaultRequestException Unreachable(Uri vault, Exception cause) =>
        new(KeyVaultFailureKind.Unreachable, 0, null,
            $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} could not be reached ({cause.GetType().Name}: {FirstLine(cause.Message)}). "
            + "Check the vault URI (https://<name>.vault.azure.net/), that the name resolves from here, and the network path "
            + "(a private endpoint, the vault's firewall, a proxy).", cause);

    public static KeyVaultRequestException ChallengeResourceMismatch(Uri request, string scope) =>
        new(KeyVaultFailureKind.Unexpected, 401, null, $"Key Vault {request.GetLeftPart(UriPartial.Authority)} asked for a token for '{scope}', whose host is not a parent "
            + "domain of the vault's, so no token was sent. Check the vault URI; for a local or emulated vault, turn off the "
            + "challenge resource verification.");

    /// <summary>The failure an answer other than 200 stands for.</summary>
    public static KeyVaultRequestException FromResponse(Response response, Uri vault, KeyVaultOperation operation, string objectName)
    {
        var (code, inner, message) = ReadError(response);
        var vaultName = vault.GetLeftPart(UriPartial.Authority);
        var said = message is null ? string.Empty : $" Key Vault said: {FirstLine(message)}";
        var errorCode = inner ?? code;
        return (response.Status, inner) switch
        {
            (401, _) => new(KeyVaultFailureKind.Unauthenticated, 401, errorCode,
                $"Key Vault {vaultName} refused the vault credential's token to {operation.Description} '{objectName}' (401).{said} "
                + "Check that the vault credential (typically the managed identity) gets tokens for https://vault.azure.net "
                + "in the vault's own tenant."),
            (403, "SecretDisabled" or "KeyDisabled") => new(KeyVaultFailureKind.NotUsable, 403, errorCode,
                $"The {operation.Kind} '{objectName}' in {vaultName} is disabled, so Key Vault refuses to {operation.Description}. "
                + "Enable that version, or make a newer enabled version current."),
            (403, "KeyExpired" or "KeyNotYetValid") => new(KeyVaultFailureKind.NotUsable, 403, errorCode,
                $"The key '{objectName}' in {vaultName} is {(inner == "KeyExpired" ? "expired" : "not yet valid")}, so Key Vault refuses to sign. "
                + "Renew the certificate in the vault (a new version), or check this machine's clock."),
            (403, "ForbiddenByFirewall") => new(KeyVaultFailureKind.Forbidden, 403, errorCode,
                $"The firewall of Key Vault {vaultName} refused this machine's address.{said} Allow its network (or add a private endpoint)."),
            (403, _) => new(KeyVaultFailureKind.Forbidden, 403, errorCode,
                $"The vault credential may not {operation.Description} '{objectName}' in {vaultName} (403{(inner is null ? string.Empty : " " + inner)}). "
                + $"Grant it '{operation.Permission}' in the vault's access policies, or, with Azure RBAC, the role {operation.Role} "
                + $"(action {operation.Action}) on the vault.{said}"),
            (404, _) => new(KeyVaultFailureKind.NotFound, 404, errorCode,
                $"Key Vault {vaultName} has no {operation.Kind} '{objectName}' (404 {code}). Check the name (and version), "
                + "and that it was not deleted (a soft-deleted certificate can be recovered)."),
            _ => new(KeyVaultFailureKind.Unexpected, response.Status, errorCode,
                $"Key Vault {vaultName} answered {response.Status}{(code is null ? string.Empty : " " + code)} to a request to {operation.Description} '{objectName}'.{said}"),
        };
    }

    private static (string? Code, string? Inner, string? Message) ReadError(Response response)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null, null);
            }

            var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            var message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            var inner = error.TryGetProperty("innererror", out var i) && i.ValueKind == JsonValueKind.Object && i.TryGetProperty("code", out var ic)
                ? ic.GetString()
                : null;
            return (code, inner, message);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var line = end < 0 ? text : text[..end];
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
