using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// When Entra refuses the certificate (the last step of a rollover removed it), the credential reloads its source at
/// once and retries that request once with a new certificate: one reload per burst of refusals, never a loop, and
/// only for the codes that mean the certificate.
/// </summary>
public sealed class RefusalReloadTests
{
    private readonly MadeCertificate _old = MadeCertificate.For("CN=old");
    private readonly MadeCertificate _new = MadeCertificate.For("CN=new");
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly LogCapture _logs = new();

    private async Task<LocalEntra> EntraAsync(params string[] otherTenants)
    {
        var entra = await LocalEntra.StartAsync(_time);
        foreach (var tenant in otherTenants.Prepend(TestOptions.TenantId))
        {
            entra.Service.RegisterApplication(tenant, TestOptions.ClientId, _old.Certificate, LocalEntra.Resource);
        }

        return entra;
    }

    private CertificateClientCredential Credential(LocalEntra entra, CertificateSource source, Action<CertificateClientCredentialOptions>? change = null) =>
        entra.Credential(o =>
        {
            o.PrivateKeyPath = null;
            o.CertificatePath = null;
            o.CertificateSource = source;
            change?.Invoke(o);
        }, time: _time, logger: _logs.Logger());

    private static void Rollover(LocalEntra entra, MadeCertificate from, MadeCertificate to, params string[] tenants)
    {
        foreach (var tenant in tenants.Prepend(TestOptions.TenantId))
        {
            entra.Service.RegisterApplication(tenant, TestOptions.ClientId, to.Certificate, LocalEntra.Resource);
            entra.Service.RemoveCertificate(tenant, TestOptions.ClientId, from.Certificate).Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_refused_certificate_is_reloaded_and_the_request_retried_once_with_the_new_one()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_old.ToClientCertificate);
        var credential = Credential(entra, source);
        await credential.GetTokenAsync();

        // The rollover happened elsewhere (Key Vault made a new version, the old one was removed from the app)
        // before this instance's periodic check found it.
        Rollover(entra, _old, _new);
        source.Answer = _new.ToClientCertificate;
        var token = await credential.RefreshTokenAsync();

        token.Token.Should().NotBeEmpty();
        credential.Thumbprint.Should().Be(_new.Thumbprint);
        source.Loads.Should().Be(2, "one reload, at the refusal");
        entra.Service.Requests.Select(r => (r.StatusCode, r.Assertion!.GetHeaderValue<string>("x5t#S256")))
            .Should().Equal((200, _old.X5tS256), (401, _old.X5tS256), (200, _new.X5tS256));
        entra.Service.Requests[1].ErrorCodes.Should().Equal(700027);
        _logs.WithId(1304).Should().ContainSingle().Which.Message.Should().Contain(_old.Thumbprint.ToString()).And.Contain("700027");
        _logs.WithId(1300).Should().ContainSingle().Which.Message.Should().Contain("refusal");
        credential.LastFailure.Should().BeNull("the caller got its token");
    }

    [Fact]
    public async Task A_burst_of_refusals_across_tenants_makes_one_reload()
    {
        var tenants = Enumerable.Range(1, 12).Select(i => $"tenant{i}.example.com").ToArray();
        await using var entra = await EntraAsync(tenants);
        var source = new ScriptedSource(_old.ToClientCertificate);
        var credential = Credential(entra, source, o =>
        {
            o.TokenEndpoint = null;
            o.AuthorityHost = entra.Service.BaseAddress;
        });

        Rollover(entra, _old, _new, tenants);
        source.Answer = _new.ToClientCertificate;
        var tokens = await Task.WhenAll(tenants.Select(t => credential.GetTokenAsync(t, TestOptions.Scope).AsTask()));

        tokens.Should().OnlyContain(t => t.Token.Length > 0);
        source.Loads.Should().Be(2, "twelve refusals of one certificate share one reload");
        _logs.WithId(1304).Should().ContainSingle();
        entra.Service.Requests.Count(r => r.StatusCode == 200).Should().Be(12);
        entra.Service.Requests.Where(r => r.StatusCode == 200).Should().OnlyContain(r => r.Assertion!.GetHeaderValue<string>("x5t#S256") == _new.X5tS256);
    }

    [Fact]
    public async Task A_source_that_still_gives_the_refused_certificate_is_asked_once_and_the_refusal_reaches_the_caller()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_old.ToClientCertificate);
        var credential = Credential(entra, source);
        entra.Service.RemoveCertificate(TestOptions.TenantId, TestOptions.ClientId, _old.Certificate);

        var first = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
        var second = await FluentActions.Awaiting(() => credential.RefreshTokenAsync()).Should().ThrowAsync<TokenEndpointException>();

        first.Which.ErrorCodes.Should().Equal(700027);
        second.Which.ErrorCodes.Should().Equal(700027);
        source.Loads.Should().Be(2, "one reload for the refused certificate, not one per refusal");
        entra.Service.TokenRequestCount.Should().Be(2, "no retry without another certificate, never a loop");
        _logs.WithId(1305).Should().ContainSingle();
    }

    [Theory]
    [InlineData(700027, true)]
    [InlineData(7000214, true)]
    [InlineData(7000277, true)]
    [InlineData(1000502, true)]
    [InlineData(7000274, true)]
    [InlineData(700024, false)]
    [InlineData(7000215, false)]
    [InlineData(700016, false)]
    public async Task Only_codes_that_mean_the_certificate_trigger_a_reload(int code, bool reloads)
    {
        await using var entra = await EntraAsync();
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _new.Certificate, LocalEntra.Resource);
        var source = new ScriptedSource(_old.ToClientCertificate);
        var credential = Credential(entra, source);
        source.Answer = _new.ToClientCertificate;
        entra.Service.EnqueueFault(new TokenFault
        {
            StatusCode = 401,
            ContentType = "application/json",
            Body = $"{{\"error\":\"invalid_client\",\"error_description\":\"AADSTS{code}: refused.\",\"error_codes\":[{code}]}}",
        });

        if (reloads)
        {
            (await credential.GetTokenAsync()).Token.Should().NotBeEmpty();
            credential.Thumbprint.Should().Be(_new.Thumbprint);
            source.Loads.Should().Be(2);
        }
        else
        {
            await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
            credential.Thumbprint.Should().Be(_old.Thumbprint);
            source.Loads.Should().Be(1, "AADSTS{0} is not about the certificate", code);
        }
    }

    [Fact]
    public async Task With_a_zero_interval_a_refusal_reloads_nothing()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_old.ToClientCertificate);
        var credential = Credential(entra, source, o => o.CertificateReloadInterval = TimeSpan.Zero);
        Rollover(entra, _old, _new);
        source.Answer = _new.ToClientCertificate;

        await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
        source.Loads.Should().Be(1);
    }

    [Fact]
    public async Task A_file_rotated_before_anything_read_it_is_read_at_the_refusal()
    {
        using var folder = new TempFolder();
        var bundle = folder.File("app.pem");
        File.WriteAllText(bundle, _old.KeyPem + _old.CertificatePem);
        await using var entra = await EntraAsync();
        var credential = entra.Credential(o => { o.PrivateKeyPath = bundle; o.CertificatePath = null; }, time: _time, logger: _logs.Logger());
        await credential.GetTokenAsync();

        // Renamed into place (one atomic step) and registered: whichever reads it first, the watcher's check or the
        // refusal's reload, the request is served with the new certificate.
        Rollover(entra, _old, _new);
        File.WriteAllText(folder.File("app.pem.tmp"), _new.KeyPem + _new.CertificatePem);
        File.Move(folder.File("app.pem.tmp"), bundle, overwrite: true);

        (await credential.RefreshTokenAsync()).Token.Should().NotBeEmpty();
        credential.Thumbprint.Should().Be(_new.Thumbprint);
        entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(_new.X5tS256);
    }
}
