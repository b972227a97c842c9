using CertCredentials.Testing;

namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>
/// The local token service and a local Key Vault in the other tenant that trusts it, with the test application
/// granted <see cref="Permissions"/>, and a handler that trusts the vault's HTTPS certificate. Stops both.
/// </summary>
public abstract class VaultTestBase : IAsyncLifetime
{
    internal LocalEntra Entra { get; private set; } = null!;

    protected LocalKeyVault Vault { get; private set; } = null!;

    protected HttpMessageHandler VaultHandler { get; private set; } = null!;

    protected virtual KeyVaultPermissionModel PermissionModel => KeyVaultPermissionModel.AccessPolicy;

    protected virtual KeyVaultPermissions Permissions => KeyVaultPermissions.All;

    public async Task InitializeAsync()
    {
        Entra = await LocalEntra.StartAsync();
        Vault = await LocalKeyVault.StartAsync(Entra.Service, LocalEntra.OtherTenant, new LocalKeyVaultOptions { PermissionModel = PermissionModel });
        Vault.Grant(TestIdentity.ClientId, Permissions);
        VaultHandler = Vault.CreateHttpMessageHandler();
    }

    public async Task DisposeAsync()
    {
        VaultHandler.Dispose();
        await Vault.DisposeAsync();
        await Entra.DisposeAsync();
    }
}
