using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>Data permits: steward approval with validation, researcher listing, revocation, access rules, audit.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class PermitApiTests(GatewayFixture fixture)
{
    private const string Researcher = "9d1c0000-0000-4000-8000-000000000aa1";
    private readonly HttpClient steward = fixture.Gateway.CreateClientFor(GatewayRoles.Steward, "steward-permits");

    private static object Permit(string project = "cardio-2026", string[]? researchers = null, string[]? outputs = null,
        string validTo = "2099-01-01T00:00:00Z") => new
    {
        project,
        title = "Heart failure risk model",
        recipient = "Organization/uni-cyprus",
        researchers = researchers ?? [Researcher],
        purpose = "HRESCH",
        resourceTypes = new[] { "Patient", "Condition", "Observation" },
        validFrom = "2026-01-01T00:00:00Z",
        validTo,
        outputs = outputs ?? ["aggregate", "dataset"],
    };

    private HttpClient ResearcherClient(string subject) =>
        fixture.Gateway.CreateClientWithToken(fixture.Identity.CreateToken([GatewayRoles.Researcher], "research-portal", subject: subject));

    [Fact]
    public async Task Create_ValidPermit_201AndListedForItsResearcherOnly()
    {
        var created = await steward.PostAsJsonAsync("/steward/permits", Permit());
        var permit = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = permit.GetProperty("id").GetString();

        var mine = await ResearcherClient(Researcher).GetFromJsonAsync<JsonElement[]>(new Uri("/research/permits", UriKind.Relative));
        var others = await ResearcherClient("someone-else").GetFromJsonAsync<JsonElement[]>(new Uri("/research/permits", UriKind.Relative));
        var read = await steward.GetFromJsonAsync<JsonElement>(new Uri($"/steward/permits/{id}", UriKind.Relative));

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal($"/steward/permits/{id}", created.Headers.Location!.ToString());
        Assert.Equal("active", permit.GetProperty("status").GetString());
        Assert.Equal("research-default", permit.GetProperty("policy").GetString());
        Assert.Contains(mine!, p => p.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(others!, p => p.GetProperty("id").GetString() == id);
        Assert.Equal("cardio-2026", read.GetProperty("project").GetString());
    }

    [Fact]
    public async Task Revoke_MarksRevoked_SecondRevoke409_AndBothAudited()
    {
        var id = (await (await steward.PostAsJsonAsync("/steward/permits", Permit())).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var revoke = await steward.PostAsync(new Uri($"/steward/permits/{id}/$revoke", UriKind.Relative), null);
        var again = await steward.PostAsync(new Uri($"/steward/permits/{id}/$revoke", UriKind.Relative), null);
        var audits = await (await steward.GetAsync($"/fhir/AuditEvent?entity:identifier=urn:healthdataspace:permit|{id}")).ReadAsync<Bundle>();

        Assert.Equal("revoked", (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await again.AssertProblemAsync(409);
        Assert.Equal(2, audits.Total);
        Assert.Equal(["permit-approve", "permit-revoke"], audits.Entry.Select(e => ((AuditEvent)e.Resource).Subtype[0].Code).Order());
    }

    [Theory]
    [InlineData("project", "not a project!")]
    [InlineData("recipient", "Patient/1")]
    [InlineData("purpose", "RESEARCH")]
    [InlineData("outputs", "everything")]
    [InlineData("resourceTypes", "Patients")]
    [InlineData("validTo", "2025-01-01T00:00:00Z")]
    [InlineData("policy", "no-such-policy")]
    public async Task Create_InvalidField_400NamingIt(string field, string value)
    {
        var body = JsonSerializer.SerializeToNode(Permit())!.AsObject();
        body[field] = field is "outputs" or "resourceTypes" ? new System.Text.Json.Nodes.JsonArray(value) : value;

        var response = await steward.PostAsJsonAsync("/steward/permits", body);

        var text = await response.AssertProblemAsync(400);
        Assert.Contains($"'{field}'", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"resourceTypes":[null]}""", "'resourceTypes'")]
    [InlineData("""{"resourceTypes":["Condition"]}""", "must list Patient")]
    [InlineData("""{"cohort":{"condition":{"cod":"x"}}}""", "'cohort'")]
    [InlineData("""{"cohort":{"medication":{"code":"x"}}}""", "'cohort' reads resource types")]
    public async Task Create_InvalidCombination_400(string patch, string mentions)
    {
        var body = JsonSerializer.SerializeToNode(Permit())!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(patch)!.AsObject().ToList())
        {
            body[key] = value?.DeepClone();
        }

        var response = await steward.PostAsJsonAsync("/steward/permits", body);

        Assert.Contains(mentions, await response.AssertProblemAsync(400), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_UnknownPermit_404()
    {
        var response = await steward.PostAsync(new Uri("/steward/permits/nope/$revoke", UriKind.Relative), null);

        await response.AssertProblemAsync(404);
    }

    [Theory]
    [InlineData(GatewayRoles.Hospital)]
    [InlineData(GatewayRoles.Researcher)]
    public async Task StewardRoutes_NotSteward_403(string role)
    {
        var client = fixture.Gateway.CreateClientFor(role, "x");

        var create = await client.PostAsJsonAsync("/steward/permits", Permit());
        var list = await client.GetAsync("/steward/permits");

        Assert.Equal(403, (int)create.StatusCode);
        Assert.Equal(403, (int)list.StatusCode);
    }

    [Fact]
    public async Task ResearchPermits_Steward_403()
    {
        var response = await steward.GetAsync("/research/permits");

        Assert.Equal(403, (int)response.StatusCode);
    }
}
