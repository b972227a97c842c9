using System.Net;
using CertCredentials.Testing.Tests.Infrastructure;

namespace CertCredentials.Testing.Tests.TokenService;

public sealed class CertificateRolloverTests : TokenServiceTestBase
{
    [Fact]
    public async Task After_a_rollover_the_new_certificate_is_accepted_and_the_removed_one_refused_with_AADSTS700027()
    {
        using var next = TestCertificates.Create("CN=CertCredentials next test app");
        Service.RegisterApplication(Tenant, ClientId, next);
        var oldBefore = await RequestTokenAsync();
        var removed = Service.RemoveCertificate(Tenant, ClientId, Certificate);

        var oldAfter = await PostAsync(Form(NewAssertion()));
        var nextAfter = await PostAsync(Form(AssertionFactory.Create(next, ClientId, Endpoint, Clock.GetUtcNow())));

        oldBefore.Status.Should().Be(HttpStatusCode.OK, oldBefore.Body);
        removed.Should().BeTrue();
        oldAfter.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
        oldAfter.Json!["error_description"]!.GetValue<string>().Should().Contain("the key was not found")
            .And.Contain(AssertionFactory.Thumbprint256(Certificate));
        nextAfter.Status.Should().Be(HttpStatusCode.OK, nextAfter.Body);
    }

    [Fact]
    public async Task Removing_the_last_certificate_keeps_the_application_but_refuses_every_assertion()
    {
        Service.RemoveCertificate(Tenant, ClientId, Certificate).Should().BeTrue();

        var answer = await RequestTokenAsync();

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
    }

    [Fact]
    public async Task A_removed_certificate_can_be_registered_again()
    {
        Service.RemoveCertificate(Tenant, ClientId, Certificate);
        Service.RegisterApplication(Tenant, ClientId, Certificate);

        var answer = await RequestTokenAsync();

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }

    [Fact]
    public async Task Tokens_issued_before_the_removal_stay_valid_at_the_api()
    {
        await using var api = await LocalProtectedApi.StartAsync(Service, Tenant, Graph);
        var token = (await RequestTokenAsync()).AccessToken;
        Service.RemoveCertificate(Tenant, ClientId, Certificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseAddress, "/hello"));
        request.Headers.Authorization = new("Bearer", token);

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public void Removing_what_is_not_registered_answers_false()
    {
        using var other = TestCertificates.Create("CN=never registered");

        Service.RemoveCertificate(Tenant, ClientId, other).Should().BeFalse();
        Service.RemoveCertificate(Tenant, "11111111-2222-3333-4444-555555555555", Certificate).Should().BeFalse();
        Service.RemoveCertificate("other.onmicrosoft.com", ClientId, Certificate).Should().BeFalse();
        Service.RemoveCertificate(Tenant.ToUpperInvariant(), ClientId.ToUpperInvariant(), Certificate).Should().BeTrue("tenants and client IDs match case-insensitively");
        Service.RemoveCertificate(Tenant, ClientId, Certificate).Should().BeFalse("it is already removed");
    }
}
