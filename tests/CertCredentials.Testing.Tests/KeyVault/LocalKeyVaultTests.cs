using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.Tests.KeyVault;

/// <summary>The local Key Vault through the real CertificateClient and SecretClient, and raw REST where no client is.</summary>
public sealed class LocalKeyVaultTests : KeyVaultTestBase
{
    [Fact]
    public async Task A_request_without_a_token_gets_the_challenge_that_names_the_tenant_and_resource()
    {
        using var response = await VaultHttp.GetAsync("secrets/anything?api-version=2025-07-01");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be(
            $"Bearer authorization=\"{Service.BaseAddress.GetLeftPart(UriPartial.Authority)}/{Tenant}\", resource=\"https://vault.azure.net\"");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        error["code"]!.GetValue<string>().Should().Be("Unauthorized");
        error["message"]!.GetValue<string>().Should().StartWith("AKV10000:");
    }

    [Fact]
    public async Task The_certificate_client_reads_the_newest_version_with_its_policy()
    {
        Vault.CreateCertificate("app", "CN=first");
        var second = Vault.CreateCertificate("app", "CN=second", new KeyVaultCertificateOptions { Exportable = false });

        KeyVaultCertificateWithPolicy certificate = await CertificateClient().GetCertificateAsync("app");

        certificate.Name.Should().Be("app");
        certificate.Properties.Version.Should().Be(second.Version);
        certificate.Properties.Enabled.Should().BeTrue();
        certificate.Cer.Should().Equal(second.Certificate.RawData);
        certificate.KeyId.Should().Be(second.KeyId);
        certificate.SecretId.Should().Be(second.SecretId);
        certificate.Properties.X509ThumbprintString.Should().BeEquivalentTo(second.Certificate.Thumbprint);
        certificate.Properties.ExpiresOn.Should().Be(TruncateToSeconds(second.Certificate.NotAfter));
        certificate.Policy.Exportable.Should().BeFalse();
        certificate.Policy.KeyType.Should().Be(CertificateKeyType.Rsa);
        certificate.Policy.KeySize.Should().Be(2048);
        certificate.Policy.ContentType.Should().Be(CertificateContentType.Pkcs12);
        certificate.Policy.Subject.Should().Be("CN=second");
    }

    [Fact]
    public async Task The_certificate_client_lists_every_version_and_reads_each()
    {
        var first = Vault.CreateCertificate("app");
        var second = Vault.CreateCertificate("app");
        Vault.SetEnabled("app", first.Version, enabled: false);
        var client = CertificateClient();

        var versions = new List<CertificateProperties>();
        await foreach (var version in client.GetPropertiesOfCertificateVersionsAsync("app"))
        {
            versions.Add(version);
        }

        versions.Select(v => (v.Version, v.Enabled)).Should().Equal((first.Version, false), (second.Version, true));
        KeyVaultCertificate old = await client.GetCertificateVersionAsync("app", first.Version);
        old.Cer.Should().Equal(first.Certificate.RawData);
        old.Properties.Enabled.Should().BeFalse();
        CertificatePolicy policy = await client.GetCertificatePolicyAsync("app");
        policy.Exportable.Should().BeTrue();
    }

    [Fact]
    public async Task An_exportable_certificate_secret_holds_the_key_as_pkcs12_or_as_pem_key_first()
    {
        var pfx = Vault.CreateCertificate("as-pfx");
        var pem = Vault.CreateCertificate("as-pem", options: new KeyVaultCertificateOptions { ContentType = LocalKeyVault.PemContentType });
        var client = SecretClient();

        KeyVaultSecret pfxSecret = await client.GetSecretAsync("as-pfx");
        KeyVaultSecret pemSecret = await client.GetSecretAsync("as-pem", pem.Version);

        pfxSecret.Properties.ContentType.Should().Be(LocalKeyVault.Pkcs12ContentType);
        pfxSecret.Properties.Managed.Should().BeTrue();
        pfxSecret.Properties.KeyId.Should().Be(pfx.KeyId);
        using (var loaded = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(pfxSecret.Value), null))
        {
            loaded.HasPrivateKey.Should().BeTrue();
            loaded.RawData.Should().Equal(pfx.Certificate.RawData);
        }

        pemSecret.Properties.ContentType.Should().Be(LocalKeyVault.PemContentType);
        pemSecret.Value.Should().StartWith("-----BEGIN PRIVATE KEY-----").And.Contain("-----BEGIN CERTIFICATE-----");
        using var fromPem = X509Certificate2.CreateFromPem(pemSecret.Value, pemSecret.Value);
        fromPem.RawData.Should().Equal(pem.Certificate.RawData);
    }

    [Theory]
    [InlineData(LocalKeyVault.Pkcs12ContentType)]
    [InlineData(LocalKeyVault.PemContentType)]
    public async Task A_non_exportable_certificate_secret_holds_the_certificate_alone(string contentType)
    {
        var created = Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false, ContentType = contentType });

        KeyVaultSecret secret = await SecretClient().GetSecretAsync("hsm");

        if (contentType == LocalKeyVault.PemContentType)
        {
            secret.Value.Should().StartWith("-----BEGIN CERTIFICATE-----").And.NotContain("PRIVATE KEY");
        }
        else
        {
            using var loaded = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null);
            loaded.HasPrivateKey.Should().BeFalse();
            loaded.RawData.Should().Equal(created.Certificate.RawData);
        }
    }

    [Fact]
    public async Task A_disabled_version_secret_is_refused_as_key_vault_refuses_it()
    {
        var created = Vault.CreateCertificate("app");
        Vault.SetEnabled("app", created.Version, enabled: false);

        var refusal = await FluentActions.Awaiting(() => SecretClient().GetSecretAsync("app")).Should().ThrowAsync<RequestFailedException>();

        refusal.Which.Status.Should().Be(403);
        refusal.Which.ErrorCode.Should().Be("Forbidden");
        refusal.Which.Message.Should().Contain("Operation get is not allowed on a disabled secret.").And.Contain("SecretDisabled");
    }

    [Fact]
    public async Task Missing_names_and_versions_are_404_with_key_vault_codes()
    {
        Vault.CreateCertificate("app");

        var certificate = await FluentActions.Awaiting(() => CertificateClient().GetCertificateAsync("nope")).Should().ThrowAsync<RequestFailedException>();
        var version = await FluentActions.Awaiting(() => CertificateClient().GetCertificateVersionAsync("app", "0123456789abcdef0123456789abcdef"))
            .Should().ThrowAsync<RequestFailedException>();
        var secret = await FluentActions.Awaiting(() => SecretClient().GetSecretAsync("nope")).Should().ThrowAsync<RequestFailedException>();

        certificate.Which.Status.Should().Be(404);
        certificate.Which.ErrorCode.Should().Be("CertificateNotFound");
        certificate.Which.Message.Should().Contain("A certificate with (name/id) nope was not found in this key vault.");
        version.Which.ErrorCode.Should().Be("CertificateNotFound");
        version.Which.Message.Should().Contain("app/0123456789abcdef0123456789abcdef");
        secret.Which.ErrorCode.Should().Be("SecretNotFound");
    }

    [Fact]
    public async Task An_application_without_the_permission_gets_403_naming_the_permission()
    {
        Vault.CreateCertificate("app");
        Vault.Grant(ClientId, KeyVaultPermissions.CertificatesGet);

        await CertificateClient().GetCertificateAsync("app");
        var refusal = await FluentActions.Awaiting(() => SecretClient().GetSecretAsync("app")).Should().ThrowAsync<RequestFailedException>();

        refusal.Which.Status.Should().Be(403);
        refusal.Which.ErrorCode.Should().Be("Forbidden");
        refusal.Which.Message.Should().Contain($"'appid={ClientId};").And.Contain("does not have secrets get permission on key vault")
            .And.Contain("AccessDenied");
    }

    [Fact]
    public async Task A_plain_secret_round_trips_through_the_secret_client_with_its_versions()
    {
        var first = Vault.SetSecret("connection", "one", "text/plain");
        Vault.SetSecret("connection", "two");
        var client = SecretClient();

        KeyVaultSecret latest = await client.GetSecretAsync("connection");
        KeyVaultSecret old = await client.GetSecretAsync("connection", first.Segments[^1]);

        latest.Value.Should().Be("two");
        latest.Properties.ContentType.Should().BeNull();
        old.Value.Should().Be("one");
        old.Properties.ContentType.Should().Be("text/plain");
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task Sign_signs_the_digest_with_the_key_that_never_left_the_vault(string algorithm)
    {
        var created = Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("header.payload"));

        var (status, body) = await SignAsync(created.KeyId, algorithm, digest);

        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        body["kid"]!.GetValue<string>().Should().Be(created.KeyId.AbsoluteUri);
        var signature = Base64UrlEncoder.DecodeBytes(body["value"]!.GetValue<string>());
        using var publicKey = created.Certificate.GetRSAPublicKey()!;
        publicKey.VerifyHash(digest, signature, HashAlgorithmName.SHA256, algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
            .Should().BeTrue();
        Vault.SignCount.Should().Be(1);
    }

    [Fact]
    public async Task Sign_is_refused_on_disabled_expired_and_not_yet_valid_keys_and_on_ec_keys_with_rsa_algorithms()
    {
        var now = Service.TimeProvider.GetUtcNow();
        var disabled = Vault.CreateCertificate("disabled");
        Vault.SetEnabled("disabled", disabled.Version, enabled: false);
        var expired = Vault.CreateCertificate("expired", notBefore: now.AddYears(-2), notAfter: now.AddDays(-1));
        var early = Vault.CreateCertificate("early", notBefore: now.AddDays(1), notAfter: now.AddYears(1));
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ecCertificate = new CertificateRequest("CN=ec", ecKey, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var ec = Vault.ImportCertificate("ec", ecCertificate);
        var digest = SHA256.HashData("x"u8);

        (await SignAsync(disabled.KeyId, "RS256", digest)).Should().Match<(HttpStatusCode, JsonNode)>(r => InnerCode(r.Item2) == "KeyDisabled");
        (await SignAsync(expired.KeyId, "RS256", digest)).Should().Match<(HttpStatusCode, JsonNode)>(r => InnerCode(r.Item2) == "KeyExpired");
        (await SignAsync(early.KeyId, "RS256", digest)).Should().Match<(HttpStatusCode, JsonNode)>(r => InnerCode(r.Item2) == "KeyNotYetValid");
        var (ecStatus, ecBody) = await SignAsync(ec.KeyId, "RS256", digest);
        ecStatus.Should().Be(HttpStatusCode.BadRequest);
        ecBody["error"]!["message"]!.GetValue<string>().Should().Contain("incompatible").And.Contain("'EC'");
        Vault.SignCount.Should().Be(0);
    }

    [Fact]
    public async Task A_token_for_another_resource_is_refused_with_invalid_audience()
    {
        using var request = await AuthorizedAsync(HttpMethod.Get, "secrets/app?api-version=2025-07-01", resource: "https://graph.microsoft.com");

        using var response = await VaultHttp.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Should().NotBeEmpty();
        (await response.Content.ReadAsStringAsync()).Should().Contain("AKV10022: Invalid audience. Expected https://vault.azure.net");
        Vault.Requests.Should().ContainSingle().Which.ClientId.Should().BeNull();
    }

    [Fact]
    public async Task A_request_without_api_version_is_a_bad_parameter()
    {
        using var request = await AuthorizedAsync(HttpMethod.Get, "secrets/app");

        using var response = await VaultHttp.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        Vault.Requests.Single().Should().Match<RecordedVaultRequest>(r => r.ClientId == ClientId && r.ErrorCode == "BadParameter");
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> SignAsync(Uri keyId, string algorithm, byte[] digest)
    {
        using var request = await AuthorizedAsync(HttpMethod.Post, keyId.PathAndQuery + "/sign?api-version=2025-07-01");
        request.Content = new StringContent(
            JsonSerializer.Serialize(new { alg = algorithm, value = Base64UrlEncoder.Encode(digest) }), Encoding.UTF8, "application/json");
        using var response = await VaultHttp.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static string? InnerCode(JsonNode body) => body["error"]?["innererror"]?["code"]?.GetValue<string>();

    private static DateTimeOffset TruncateToSeconds(DateTime value) =>
        DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(value.ToUniversalTime()).ToUnixTimeSeconds());
}
