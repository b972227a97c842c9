using Azure.Core;
using CertCredentials.Azure.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CertCredentials.Azure.Tests.DependencyInjection;

/// <summary>The TokenCredential registered beside the credential: default and named.</summary>
public sealed class TokenCredentialRegistrationTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task The_default_credentials_token_credential_is_a_singleton_over_that_credential()
    {
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(_entra.Configure);
        services.AddCertificateClientCredentialTokenCredential().AddCertificateClientCredentialTokenCredential();
        await using var provider = services.BuildServiceProvider();

        var tokenCredential = provider.GetRequiredService<TokenCredential>();
        var credential = provider.GetRequiredService<CertificateClientCredential>();

        tokenCredential.Should().BeSameAs(provider.GetRequiredService<TokenCredential>()).And.BeSameAs(credential.AsTokenCredential());
        services.Count(d => d.ServiceType == typeof(TokenCredential)).Should().Be(1);
        var token = await tokenCredential.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope]), default);
        token.Token.Should().Be((await credential.GetTokenAsync()).Token);
    }

    [Fact]
    public async Task A_named_credentials_token_credential_is_keyed_by_its_name()
    {
        var services = new ServiceCollection();
        services.AddCertificateClientCredential("orders", o =>
        {
            _entra.Configure(o);
            o.TenantId = LocalEntra.OtherTenant;
        });
        services.AddCertificateClientCredentialTokenCredential("orders");
        await using var provider = services.BuildServiceProvider();

        var tokenCredential = provider.GetRequiredKeyedService<TokenCredential>("orders");

        tokenCredential.Should().BeSameAs(provider.GetRequiredKeyedService<CertificateClientCredential>("orders").AsTokenCredential());
        provider.GetService<TokenCredential>().Should().BeNull("only the named one was registered");
        await tokenCredential.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope]), default);
        _entra.Service.Requests.Single().Tenant.Should().Be(LocalEntra.OtherTenant);
    }
}
