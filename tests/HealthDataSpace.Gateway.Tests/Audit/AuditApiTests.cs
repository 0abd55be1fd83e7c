using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Audit;

/// <summary>
/// The audit trail over HTTP: consent writes and decisions become AuditEvents that only stewards can read and nobody
/// can write; <c>$verify</c> checks the chain. Tampering tests run on their own gateway (a fresh chain).
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class AuditApiTests(GatewayFixture fixture)
{
    private const string Subject = "3f2a7c1e-0000-4000-8000-00000000a0d1";
    private readonly HttpClient hospital = fixture.Gateway.CreateClientWithToken(
        fixture.Identity.CreateToken([GatewayRoles.Hospital], ConsentApiTests.HospitalClient, subject: Subject));
    private readonly HttpClient steward = fixture.Gateway.CreateClientFor(GatewayRoles.Steward, "steward-console");

    [Fact]
    public async Task ConsentWrite_RecordsAuditEvent_SearchableByEntityAgentTypeAndDate()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital, "Antoniou", "GR-AUDIT-1");
        var consent = await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var byEntity = await (await steward.GetAsync($"/fhir/AuditEvent?entity=Consent/{consent.Id}/_history/1")).ReadAsync<Bundle>();
        var byAgent = await (await steward.GetAsync($"/fhir/AuditEvent?agent:identifier=urn:healthdataspace:token-subject|{Subject}&entity=Patient/{patient}")).ReadAsync<Bundle>();
        var byClientTypeDate = await (await steward.GetAsync(
            $"/fhir/AuditEvent?agent:identifier=urn:healthdataspace:client-id|{ConsentApiTests.HospitalClient}&type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest&date=ge{today}&_count=1000")).ReadAsync<Bundle>();

        var audit = Assert.IsType<AuditEvent>(Assert.Single(byEntity.Entry).Resource);
        Assert.Equal(AuditEvent.AuditEventAction.C, audit.Action);
        Assert.Equal("create", audit.Subtype[0].Code);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, audit.Outcome);
        Assert.Equal("RECORDMGT", audit.PurposeOfEvent[0].Coding[0].Code);
        Assert.Contains(audit.Agent, a => a.Who.Identifier?.Value == Subject && a.Requestor == true);
        Assert.Contains(audit.Agent, a => a.Who.Identifier?.Value == ConsentApiTests.HospitalClient);
        Assert.Contains(audit.Entity, e => e.What.Reference == $"Patient/{patient}");
        Assert.Contains(byAgent.Entry, e => e.Resource.Id == audit.Id);
        Assert.Contains(byClientTypeDate.Entry, e => e.Resource.Id == audit.Id);
    }

    [Fact]
    public async Task AuditEvent_HasNoNameIdentifierOrTokenInIt()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital, "Hadjipetrou", "CY-SECRET-41");
        var consent = await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));
        await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));

        var found = await steward.GetStringAsync(new Uri($"/fhir/AuditEvent?entity=Patient/{patient}", UriKind.Relative));

        Assert.Equal(2, JsonDocument.Parse(found).RootElement.GetProperty("total").GetInt32());
        Assert.DoesNotContain("Hadjipetrou", found, StringComparison.Ordinal);
        Assert.DoesNotContain("CY-SECRET-41", found, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", found, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Gateway.Logs.Messages, m => m.Contains("Hadjipetrou", StringComparison.Ordinal) || m.Contains("CY-SECRET-41", StringComparison.Ordinal));
        Assert.Contains($"Consent/{consent.Id}/_history/1", found, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditEvent_HospitalCannotRead_403()
    {
        var search = await hospital.GetAsync("/fhir/AuditEvent");
        var postSearch = await hospital.PostAsync(new Uri("/fhir/AuditEvent/_search", UriKind.Relative),
            new FormUrlEncodedContent([new KeyValuePair<string, string>("type", "rest")]));
        var read = await hospital.GetAsync("/fhir/AuditEvent/some-id");

        await search.AssertOutcomeAsync(403);
        await postSearch.AssertOutcomeAsync(403);
        await read.AssertOutcomeAsync(403);
    }

    [Fact]
    public async Task AuditEvent_NobodyCanWrite_405()
    {
        var audit = new AuditEvent { Id = "forged", Recorded = DateTimeOffset.UtcNow, Type = new Coding("http://x", "y"),
            Agent = [new AuditEvent.AgentComponent { Requestor = true }], Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "me" } } };
        var create = await steward.PostAsync("/fhir/AuditEvent", audit);
        var update = await steward.SendAsync(FhirClient.Request(HttpMethod.Put, "/fhir/AuditEvent/forged", audit));
        var delete = await steward.DeleteAsync(new Uri("/fhir/AuditEvent/forged", UriKind.Relative));
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = audit,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = "AuditEvent/forged" },
        });
        var inBundle = await steward.PostAsync("/fhir", bundle);

        await create.AssertOutcomeAsync(405);
        await update.AssertOutcomeAsync(405);
        await delete.AssertOutcomeAsync(405);
        await inBundle.AssertOutcomeAsync(405);
        await (await steward.GetAsync("/fhir/AuditEvent/forged")).AssertOutcomeAsync(404);
    }

    [Fact]
    public async Task Verify_Steward_ValidChain()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));

        var result = await steward.GetFromJsonAsync<JsonElement>(new Uri("/audit/$verify", UriKind.Relative));

        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.True(result.GetProperty("entries").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("firstBrokenAt").ValueKind);
    }

    [Theory]
    [InlineData(GatewayRoles.Hospital)]
    [InlineData(GatewayRoles.Researcher)]
    public async Task Verify_NotSteward_403(string role)
    {
        var response = await fixture.Gateway.CreateClientFor(role, "x").GetAsync("/audit/$verify");

        Assert.Equal(403, (int)response.StatusCode);
    }
}
