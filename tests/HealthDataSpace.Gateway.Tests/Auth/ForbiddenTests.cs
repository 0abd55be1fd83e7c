using System.Net;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthDataSpace.Gateway.Tests.Auth;

/// <summary>A gateway with probe endpoints that require the gateway's policies, standing in for feature routes.</summary>
public sealed class ProbeGatewayFixture : IDisposable
{
    public ProbeGatewayFixture()
    {
        Identity = new TestIdentityProvider();
        Gateway = new GatewayFactory(Identity).WithTestEndpoints(routes =>
        {
            routes.MapGet("/fhir/_authprobe", () => Results.Ok("fhir")).RequireAuthorization(GatewayPolicies.FhirClient);
            routes.MapGet("/_authprobe/steward", () => Results.Ok("steward")).RequireAuthorization(GatewayPolicies.Steward);
        });
    }

    public TestIdentityProvider Identity { get; }

    public GatewayFactory Gateway { get; }

    public void Dispose()
    {
        Gateway.Dispose();
        Identity.Dispose();
    }
}

public sealed class ForbiddenTests(ProbeGatewayFixture fixture) : IClassFixture<ProbeGatewayFixture>
{
    private static readonly Uri FhirProbe = new("/fhir/_authprobe", UriKind.Relative);
    private static readonly Uri StewardProbe = new("/_authprobe/steward", UriKind.Relative);

    [Theory]
    [InlineData(GatewayRoles.Hospital)]
    [InlineData(GatewayRoles.Steward)]
    public async Task GetFhir_FhirClientRole_Returns200(string role)
    {
        using var client = fixture.Gateway.CreateClientFor(role);

        using var response = await client.GetAsync(FhirProbe);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetFhir_ResearcherRole_Returns403OperationOutcome()
    {
        var token = fixture.Identity.CreateToken([GatewayRoles.Researcher], "research-portal");
        using var client = fixture.Gateway.CreateClientWithToken(token);

        using var response = await client.GetAsync(FhirProbe);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.DoesNotContain("research-portal", body, StringComparison.Ordinal);
        var outcome = await AuthResponses.ReadJsonAsync(response);
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        var issue = Assert.Single(outcome.GetProperty("issue").EnumerateArray());
        Assert.Equal("error", issue.GetProperty("severity").GetString());
        Assert.Equal("forbidden", issue.GetProperty("code").GetString());
        Assert.StartsWith("role Researcher may not use /fhir", issue.GetProperty("diagnostics").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFhir_NoToken_Returns401OperationOutcome()
    {
        using var client = fixture.Gateway.CreateClient();

        using var response = await client.GetAsync(FhirProbe);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetNonFhir_WrongRole_Returns403ProblemDetails()
    {
        using var client = fixture.Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var response = await client.GetAsync(StewardProbe);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await AuthResponses.ReadJsonAsync(response);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Equal(
            "role Hospital may not use /_authprobe; it requires role Steward",
            problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GetNonFhir_UnknownRoleOnly_Returns403WithoutEchoingRole()
    {
        using var client = fixture.Gateway.CreateClientWithToken(fixture.Identity.CreateToken(["Jane.Doe@hospital"]));

        using var response = await client.GetAsync(StewardProbe);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Jane", body, StringComparison.Ordinal);
        Assert.Contains("without a gateway role", body, StringComparison.Ordinal);
    }
}
