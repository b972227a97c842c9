using System.Net;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.DependencyInjection;

/// <summary>The whole path as a user meets it: Program.cs registration, an injected HttpClient, a protected API.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task Every_request_of_the_authorized_client_carries_a_valid_token_from_one_token_request()
    {
        await using var resource = await LocalResource.StartAsync();
        var client = resource.Client;

        var sequential = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(new Uri("hello", UriKind.Relative));
            sequential.Add(response.StatusCode);
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await resource.Client.GetAsync(new Uri("hello", UriKind.Relative));
            return response.StatusCode;
        })).WaitAsync(TimeSpan.FromSeconds(30));

        sequential.Should().AllBeEquivalentTo(HttpStatusCode.OK);
        concurrent.Should().AllBeEquivalentTo(HttpStatusCode.OK);
        resource.Api.Requests.Should().HaveCount(55).And.OnlyContain(r => r.TokenValid && !r.TokenExpired);
        resource.Entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task The_api_answers_with_the_app_identity_from_the_token()
    {
        await using var resource = await LocalResource.StartAsync();
        var body = await resource.Client.GetStringAsync(new Uri("hello", UriKind.Relative));
        body.Should().Contain(TestOptions.ClientId).And.Contain(TestOptions.TenantId);
    }

    [Fact]
    public async Task The_credential_is_one_singleton()
    {
        await using var resource = await LocalResource.StartAsync();
        var first = resource.Services.GetRequiredService<CertificateClientCredential>();
        resource.Services.GetRequiredService<CertificateClientCredential>().Should().BeSameAs(first);
        resource.Services.GetRequiredKeyedService<CertificateClientCredential>(Options.DefaultName).Should().BeSameAs(first);
    }

    [Fact]
    public async Task Registering_twice_adds_nothing_twice()
    {
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(o => o.TenantId = TestOptions.TenantId);
        services.AddCertificateClientCredential(o => o.ClientId = TestOptions.ClientId);
        services.Count(d => d.ServiceType == typeof(CertificateClientCredential) && !d.IsKeyedService).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<CertificateClientCredentialOptions>)).Should().Be(1);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Named_credentials_hold_several_apps_or_scopes_in_one_process()
    {
        await using var entra = await LocalEntra.StartAsync();
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, certificate, "api://orders");
        var services = new ServiceCollection();
        services.AddCertificateClientCredential("graph", o => LocalResource.Copy(entra.Options(), o));
        services.AddCertificateClientCredential("orders", o => LocalResource.Copy(entra.Options(x => x.Scope = "api://orders/.default"), o));
        await using var provider = services.BuildServiceProvider();

        var graph = provider.GetRequiredKeyedService<CertificateClientCredential>("graph");
        var orders = provider.GetRequiredKeyedService<CertificateClientCredential>("orders");
        graph.Should().NotBeSameAs(orders);
        graph.Scope.Should().Be(TestOptions.Scope);
        orders.Scope.Should().Be("api://orders/.default");
        (await graph.GetTokenAsync()).Token.Should().NotBe((await orders.GetTokenAsync()).Token);
    }

    [Fact]
    public async Task A_named_handler_uses_its_named_credential()
    {
        await using var entra = await LocalEntra.StartAsync();
        await using var api = await CertCredentials.Testing.LocalProtectedApi.StartAsync(entra.Service, TestOptions.TenantId, LocalEntra.Resource);
        var services = new ServiceCollection();
        services.AddCertificateClientCredentialHttpClient("graph", o => LocalResource.Copy(entra.Options(), o), c => c.BaseAddress = api.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph").GetAsync(new Uri("hello", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_handler_for_an_unregistered_name_says_so()
    {
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(o => LocalResource.Copy(TestOptions.Rsa2048(), o));
        services.AddHttpClient("x").AddCertificateClientCredentialHandler("typo");
        await using var provider = services.BuildServiceProvider();
        var e = FluentActions.Invoking(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("x")).Should().Throw<CertificateCredentialException>();
        e.Which.Message.Should().Contain("No certificate credential named 'typo' is registered");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_handler_without_any_credential_says_so()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("x").AddCertificateClientCredentialHandler();
        await using var provider = services.BuildServiceProvider();
        FluentActions.Invoking(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("x")).Should().Throw<CertificateCredentialException>()
            .Which.Message.Should().Contain("No certificate credential is registered");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Uses_the_time_provider_registered_in_the_container()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddCertificateClientCredential(o => LocalResource.Copy(TestOptions.Rsa2048(), o));
        await using var provider = services.BuildServiceProvider();
        var assertion = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(provider.GetRequiredService<CertificateClientCredential>().CreateClientAssertion());
        assertion.IssuedAt.Should().Be(time.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public async Task Reports_every_problem_at_start_in_one_failure()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCertificateClientCredential(o =>
        {
            o.TenantId = "common";
            o.ClientId = "";
            o.Scope = "https://graph.microsoft.com";
            o.PrivateKeyPath = "/no/such/key.pem";
        });
        using var host = builder.Build();

        var e = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        // One failure, one problem per line (several failures would be joined with "; " in the message).
        var lines = e.Which.Message.Split('\n');
        lines.Should().HaveCount(5);
        lines[0].Should().Be("The certificate credential options have 4 problems:");
        lines[1].Should().StartWith("1. ").And.Contain("AADSTS9001023");
        lines[2].Should().StartWith("2. ClientId is empty");
        lines[3].Should().StartWith("3. ").And.Contain("Use https://graph.microsoft.com/.default");
        lines[4].Should().StartWith("4. ").And.Contain("/no/such/key.pem");
        e.Which.Message.Should().NotContain("; ");
    }

    [Fact]
    public async Task The_readme_validation_example_is_the_real_message()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")).ReplaceLineEndings("\n");
        const string Intro = "every problem is reported at once:\n\n```\n";
        var start = readme.IndexOf(Intro, StringComparison.Ordinal);
        start.Should().BePositive("the README shows the validation message after \"every problem is reported at once:\"");
        start += Intro.Length;
        var shown = readme[start..readme.IndexOf("\n```", start, StringComparison.Ordinal)];

        using var root = new TempFolder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root.Path });
        builder.Services.AddCertificateClientCredential(o =>
        {
            o.TenantId = "common";
            o.ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
            o.Scope = "https://graph.microsoft.com";
            o.PrivateKeyPath = "keys/app.pem";
        });
        using var host = builder.Build();
        var e = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        // The README's app has its content root in /app.
        var real = $"{typeof(OptionsValidationException).FullName}: {e.Which.Message}".Replace(root.Path, "/app", StringComparison.Ordinal);
        real.Should().Be(shown);
    }

    [Fact]
    public async Task Relative_key_paths_resolve_against_the_content_root_not_the_current_directory()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(root.File("keys"));
        File.Copy(Fixture.Path("rsa2048.pkcs8.pem"), root.File("keys/app.pem"));
        File.Copy(Fixture.Path("rsa2048.crt.pem"), root.File("keys/app.crt"));
        Environment.CurrentDirectory.Should().NotBe(root.Path);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root.Path });
        builder.Services.AddCertificateClientCredential(o => LocalResource.Copy(TestOptions.Rsa2048(x => { x.PrivateKeyPath = "keys/app.pem"; x.CertificatePath = "keys/app.crt"; x.CertificateReloadInterval = TimeSpan.Zero; }), o));
        using var host = builder.Build();
        await host.StartAsync();
        host.Services.GetRequiredService<CertificateClientCredential>().CertificateSubject.Should().NotBeNull();
        await host.StopAsync();
    }

    [Fact]
    public async Task A_missing_relative_key_file_names_the_content_root()
    {
        using var root = new TempFolder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root.Path });
        builder.Services.AddCertificateClientCredential(o => LocalResource.Copy(TestOptions.Rsa2048(x => x.PrivateKeyPath = "keys/app.pem"), o));
        using var host = builder.Build();

        var e = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();
        e.Which.Message.Should().Be($"The file '{root.File("keys/app.pem")}' given in PrivateKeyPath does not exist (a relative PrivateKeyPath is resolved against the content root '{root.Path}', IHostEnvironment.ContentRootPath, as appsettings.json is). Check the path, or give an absolute one.");
    }

    [Fact]
    public async Task A_handler_naming_no_registered_credential_fails_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCertificateClientCredential("orders", o => LocalResource.Copy(TestOptions.Rsa2048(), o));
        builder.Services.AddHttpClient("orders-api").AddCertificateClientCredentialHandler("orderz");
        using var host = builder.Build();

        var e = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();
        e.Which.Message.Should().Be("The HttpClient 'orders-api' (AddCertificateClientCredentialHandler) uses the certificate credential 'orderz', which is not registered: the registered ones are 'orders'. Use one of those names, or register it with services.AddCertificateClientCredential(\"orderz\", ...).");
    }

    [Fact]
    public async Task A_health_check_naming_no_registered_credential_fails_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCertificateClientCredential("orders", o => LocalResource.Copy(TestOptions.Rsa2048(), o));
        builder.Services.AddHealthChecks().AddCertificateClientCredentialCheck("orders").AddCertificateClientCredentialCheck("orderz");
        using var host = builder.Build();

        var e = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();
        e.Which.Message.Should().Be("The health check 'certificate-credential-orderz' (AddCertificateClientCredentialCheck) uses the certificate credential 'orderz', which is not registered: the registered ones are 'orders'. Use one of those names, or register it with services.AddCertificateClientCredential(\"orderz\", ...).");
    }

    [Fact]
    public async Task A_handler_naming_a_registered_credential_starts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHttpClient("orders-api").AddCertificateClientCredentialHandler("orders");
        builder.Services.AddCertificateClientCredential("orders", o => LocalResource.Copy(TestOptions.Rsa2048(), o));
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task Refuses_at_start_a_key_that_needs_a_passphrase_naming_the_credential()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCertificateClientCredential("graph", o => LocalResource.Copy(TestOptions.Rsa2048(x => x.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem")), o));
        using var host = builder.Build();

        var e = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();
        e.Which.Failures.Should().ContainSingle().Which.Should().StartWith("Credential 'graph': ").And.Contain("no PrivateKeyPassphrase is set");
        SecretScan.AssertClean(e.Which, Fixture.Text("rsa2048.pkcs8.pem"));
    }

    [Fact]
    public async Task Builds_the_credential_at_start_so_the_key_is_read_once()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCertificateClientCredential(o => LocalResource.Copy(TestOptions.Rsa2048(), o));
        using var host = builder.Build();
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<CertCredentials.DependencyInjection.CredentialRegistry>();
        registry.IsBuilt(Options.DefaultName).Should().BeTrue();
        await host.StopAsync();
    }
}
