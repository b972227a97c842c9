using Azure;

namespace CertCredentials.Testing.Tests.KeyVault;

/// <summary>A vault whose permissions are RBAC role assignments words its 403 with the missing action.</summary>
public sealed class RbacVaultTests : KeyVaultTestBase
{
    protected override KeyVaultPermissionModel PermissionModel => KeyVaultPermissionModel.Rbac;

    [Fact]
    public async Task A_missing_role_is_named_by_its_action()
    {
        Vault.CreateCertificate("app");
        Vault.Grant(ClientId, KeyVaultPermissions.None);

        var refusal = await FluentActions.Awaiting(() => SecretClient().GetSecretAsync("app")).Should().ThrowAsync<RequestFailedException>();

        refusal.Which.Status.Should().Be(403);
        refusal.Which.Message.Should().Contain("Caller is not authorized to perform action on resource.")
            .And.Contain("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'").And.Contain("ForbiddenByRbac");
    }
}
