using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Privacy;

/// <summary>
/// <c>POST /steward/reidentify</c>: a steward maps a project's pseudonym back, with a reason, audited; nobody else can.
/// The pseudonym is computed here with the project's domain from the gateway's configured master key.
/// </summary>
public sealed class ReidentifyTests : IDisposable
{
    private static readonly string MasterKey = PseudonymDomain.GenerateMasterKey();
    private readonly TestIdentityProvider identity = new();
    private readonly GatewayFactory gateway;

    public ReidentifyTests() => gateway = new GatewayFactory(identity).WithSetting("Privacy:MasterKey", MasterKey);

    public void Dispose()
    {
        gateway.Dispose();
        identity.Dispose();
    }

    private static string PseudonymOf(string project, string id) => PseudonymDomain.ForProject(MasterKey, project).PseudonymizeId("Patient", id);

    [Fact]
    public async Task Reidentify_Steward_ReturnsOriginalAndAudits()
    {
        var hospital = gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-re");
        var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-re");
        await ConsentHttp.CreatePatientAsync(hospital, "Other", "X-1");
        var patient = await ConsentHttp.CreatePatientAsync(hospital, "Target", "X-2");

        var response = await steward.PostAsJsonAsync("/steward/reidentify",
            new { project = "cardio-2026", pseudonym = "Patient/" + PseudonymOf("cardio-2026", patient), reason = "incidental-finding" });
        var bare = await steward.PostAsJsonAsync("/steward/reidentify",
            new { project = "cardio-2026", pseudonym = PseudonymOf("cardio-2026", patient), reason = "patient-safety" });
        var audits = await (await steward.GetAsync($"/fhir/AuditEvent?entity=Patient/{patient}&subtype=reidentify")).ReadAsync<Bundle>();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal($"Patient/{patient}", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString());
        Assert.Equal(200, (int)bare.StatusCode);
        Assert.Equal(2, audits.Total);
        Assert.Contains(audits.Entry, e => ((AuditEvent)e.Resource).Subtype.Any(s => s.Code == "incidental-finding"));
    }

    [Fact]
    public async Task Reidentify_OtherProjectsPseudonym_404AndAuditedAsFailure()
    {
        var hospital = gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-re");
        var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-re");
        var patient = await ConsentHttp.CreatePatientAsync(hospital, "Target", "X-3");

        var response = await steward.PostAsJsonAsync("/steward/reidentify",
            new { project = "cardio-2026", pseudonym = PseudonymOf("oncology-2026", patient), reason = "data-correction" });
        var failures = await (await steward.GetAsync("/fhir/AuditEvent?subtype=reidentify&outcome=4")).ReadAsync<Bundle>();

        await response.AssertProblemAsync(404);
        Assert.True(failures.Total >= 1);
    }

    [Theory]
    [InlineData("""{"project":"p","pseudonym":"Patient/abc","reason":"incidental-finding"}""", "'pseudonym'")]
    [InlineData("""{"project":"p","pseudonym":"Patient/0000000000000000000000000000000000000000000000000000000000000000","reason":"curiosity"}""", "'reason'")]
    [InlineData("""{"pseudonym":"Patient/0000000000000000000000000000000000000000000000000000000000000000","reason":"incidental-finding"}""", "'project'")]
    [InlineData("""{"project":"p","pseudonym":"Nonsense/0000000000000000000000000000000000000000000000000000000000000000","reason":"incidental-finding"}""", "'pseudonym'")]
    public async Task Reidentify_BadRequest_400NamingTheField(string body, string field)
    {
        var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-re");

        var response = await steward.PostAsync(new Uri("/steward/reidentify", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains(field, await response.AssertProblemAsync(400), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GatewayRoles.Hospital)]
    [InlineData(GatewayRoles.Researcher)]
    [InlineData(GatewayRoles.Device)]
    public async Task Reidentify_NotSteward_403(string role)
    {
        var client = gateway.CreateClientFor(role, "someone");

        var response = await client.PostAsJsonAsync("/steward/reidentify",
            new { project = "p", pseudonym = "Patient/" + new string('0', 64), reason = "incidental-finding" });

        Assert.Equal(403, (int)response.StatusCode);
    }
}
