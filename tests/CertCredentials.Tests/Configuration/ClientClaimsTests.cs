using System.Text.Json.Nodes;
using CertCredentials.Configuration;

namespace CertCredentials.Tests.Configuration;

public sealed class ClientClaimsTests
{
    [Fact]
    public void Capabilities_alone_declare_cp1() =>
        JsonNode.Parse(ClientClaims.Merge(ClientClaims.ContinuousAccessEvaluation, null)!)!["access_token"]!["xms_cc"]!["values"]![0]!.GetValue<string>().Should().Be("cp1");

    [Fact]
    public void Challenge_is_merged_into_capabilities()
    {
        var merged = JsonNode.Parse(ClientClaims.Merge(ClientClaims.ContinuousAccessEvaluation, "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1700000000\"}}}")!)!;
        merged["access_token"]!["xms_cc"]!["values"]![0]!.GetValue<string>().Should().Be("cp1");
        merged["access_token"]!["nbf"]!["value"]!.GetValue<string>().Should().Be("1700000000");
    }

    [Fact]
    public void Challenge_alone_is_sent_as_is() =>
        ClientClaims.Merge(null, "{\"access_token\":{\"nbf\":{\"essential\":true}}}").Should().Be("{\"access_token\":{\"nbf\":{\"essential\":true}}}");

    [Fact]
    public void Refuses_a_challenge_that_is_not_json()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => ClientClaims.Merge(null, "eyJub3Q"));
        e.Message.Should().Contain("not valid JSON");
    }
}
