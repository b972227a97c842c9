namespace CertCredentials.Tests.Infrastructure;

/// <summary>Valid options for the rsa2048 fixture identity, to vary one field at a time.</summary>
internal static class TestOptions
{
    public const string TenantId = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    public const string Scope = "https://graph.microsoft.com/.default";

    public static CertificateClientCredentialOptions Rsa2048(Action<CertificateClientCredentialOptions>? change = null)
    {
        var options = new CertificateClientCredentialOptions
        {
            TenantId = TenantId,
            ClientId = ClientId,
            Scope = Scope,
            PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.pem"),
            CertificatePath = Fixture.Path("rsa2048.crt.pem"),
        };
        change?.Invoke(options);
        return options;
    }
}
