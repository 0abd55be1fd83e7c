using System.Net.Http.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Consent;

/// <summary>
/// Consents written through /fhir (single requests and bundles) feed the decision engine at once; decisions over HTTP
/// with their 4xx cases; the steward opt-out/opt-in shortcuts. The region here is opt-in (the default).
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class ConsentApiTests(GatewayFixture fixture)
{
    /// <summary>The one hospital client of the shared gateway that registers the studies consents name (ids are global).</summary>
    public const string HospitalClient = "hospital-consents";

    private readonly HttpClient hospital = fixture.Gateway.CreateClientFor(GatewayRoles.Hospital, HospitalClient);
    private readonly HttpClient otherHospital = fixture.Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-other");
    private readonly HttpClient steward = fixture.Gateway.CreateClientFor(GatewayRoles.Steward, "steward-console");

    [Fact]
    public async Task HospitalConsent_PermitsResearch_AndRevocationDeniesAtOnce()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        var consent = await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));

        var permit = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));
        consent.Status = Hl7.Fhir.Model.Consent.ConsentState.Inactive;
        var revoke = await hospital.SendAsync(FhirClient.Request(HttpMethod.Put, $"/fhir/Consent/{consent.Id}", consent));
        var deny = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));

        Assert.Equal("permit", permit.GetProperty("decision").GetString());
        Assert.Equal($"Consent/{consent.Id}/_history/1", permit.GetProperty("consent").GetString());
        Assert.Equal("provision", permit.GetProperty("provision").GetString());
        Assert.Equal(200, (int)revoke.StatusCode);
        Assert.Equal("deny", deny.GetProperty("decision").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, deny.GetProperty("consent").ValueKind);
    }

    [Fact]
    public async Task DeletedConsent_NoLongerDecides()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        var consent = await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));

        var delete = await hospital.DeleteAsync(new Uri($"/fhir/Consent/{consent.Id}", UriKind.Relative));
        var after = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));

        Assert.Equal(204, (int)delete.StatusCode);
        Assert.Equal("deny", after.GetProperty("decision").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("consent").ValueKind);
    }

    [Fact]
    public async Task ConsentInTransactionBundle_IsIndexed_WithNestedDenyInsidePermit()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        var patientUrl = "urn:uuid:" + Guid.NewGuid();
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = patientUrl,
            Resource = FhirClient.Patient("Stavrou", "GR-5"),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" },
        });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = ConsentFixtures.Parse(ConsentFixtures.Research(patientUrl)),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Consent" },
        });

        var response = await hospital.PostAsync("/fhir", bundle);
        var result = await response.ReadAsync<Bundle>();
        var patient = result.Entry[0].Response.Location.Split('/')[1];
        var plain = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));
        var psychiatry = await ConsentHttp.EvaluateAsync(steward, new
        {
            patient = $"Patient/{patient}", purpose = "HRESCH", actor = "ResearchStudy/cardio", resourceType = "Observation",
            date = "2024-01-01", securityLabels = new[] { "http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY" },
        });

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("permit", plain.GetProperty("decision").GetString());
        Assert.Equal("deny", psychiatry.GetProperty("decision").GetString());
        Assert.Equal("provision.provision[0]", psychiatry.GetProperty("provision").GetString());
    }

    /// <summary>status and scope are 1..1 in R4, so the strict parser refuses them (400); patient is 0..1 in R4 and
    /// refused by the consent rules (422).</summary>
    [Theory]
    [InlineData("status", 400)]
    [InlineData("scope", 400)]
    [InlineData("patient", 422)]
    public async Task Consent_MissingRequiredElement_4xxAndNothingStored(string element, int status)
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        var consent = ConsentFixtures.Parse(ConsentFixtures.Research($"Patient/{patient}"));
        switch (element)
        {
            case "status": consent.Status = null; break;
            case "scope": consent.Scope = null!; break;
            default: consent.Patient = null; break;
        }

        var response = await hospital.PostAsync("/fhir/Consent", consent);
        var text = await response.AssertOutcomeAsync(status);
        var decision = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));

        Assert.Contains(element, text, StringComparison.Ordinal);
        Assert.Equal("deny", decision.GetProperty("decision").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, decision.GetProperty("consent").ValueKind);
    }

    [Fact]
    public async Task Consent_DatedInTheFuture_422()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);

        var response = await hospital.PostAsync("/fhir/Consent", ConsentFixtures.Research($"Patient/{patient}", dateTime: "2099-01-01"));

        Assert.Contains("Consent.dateTime", await response.AssertOutcomeAsync(422), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_UntypedNestedProvisionInTransaction_RefusesWholeBundle()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        var consent = ConsentFixtures.Parse(ConsentFixtures.Research($"Patient/{patient}"));
        consent.Provision.Provision[0].Type = null;
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = FhirClient.Patient("Loizou", "CY-9"),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" },
        });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = consent,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Consent" },
        });

        var response = await hospital.PostAsync("/fhir", bundle);
        var text = await response.AssertOutcomeAsync(422);
        var patients = await (await hospital.GetAsync("/fhir/Patient?identifier=urn:oid:1.2.642.1|CY-9")).ReadAsync<Bundle>();

        Assert.Contains("Consent.provision.provision[0].type", text, StringComparison.Ordinal);
        Assert.Equal(0, patients.Total);
    }

    [Fact]
    public async Task Consent_OtherHospitalsConsent_IsNotVisible_StewardSeesIt()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        var consent = await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));

        var other = await otherHospital.GetAsync($"/fhir/Consent/{consent.Id}");
        var stewardRead = await steward.GetAsync($"/fhir/Consent/{consent.Id}");

        await other.AssertOutcomeAsync(404);
        Assert.Equal(200, (int)stewardRead.StatusCode);
    }

    [Fact]
    public async Task OptOut_WritesConsentThatDenies_ThenOptInPermits()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);
        await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));

        var optOut = await steward.PostAsync(new Uri($"/steward/consents/{patient}/$opt-out?purpose=HRESCH", UriKind.Relative), null);
        var written = await optOut.ReadAsync<Hl7.Fhir.Model.Consent>();
        var afterOptOut = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));
        var optIn = await steward.PostAsync(new Uri($"/steward/consents/{patient}/$opt-in?purpose=HRESCH", UriKind.Relative), null);
        var afterOptIn = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient, resourceType: "MedicationRequest"));

        Assert.Equal(201, (int)optOut.StatusCode);
        Assert.NotNull(optOut.Headers.Location);
        Assert.Equal("OPTOUT", written.PolicyRule.Coding[0].Code);
        Assert.Equal(Hl7.Fhir.Model.Consent.ConsentProvisionType.Deny, written.Provision.Type);
        Assert.Equal("deny", afterOptOut.GetProperty("decision").GetString());
        Assert.Equal($"Consent/{written.Id}/_history/1", afterOptOut.GetProperty("consent").GetString());
        Assert.Equal(201, (int)optIn.StatusCode);
        Assert.Equal("permit", afterOptIn.GetProperty("decision").GetString());
    }

    [Theory]
    [InlineData("/steward/consents/{0}/$opt-out", 400)]
    [InlineData("/steward/consents/{0}/$opt-out?purpose=NOPE", 400)]
    [InlineData("/steward/consents/unknown-patient/$opt-out?purpose=HRESCH", 404)]
    [InlineData("/steward/consents/bad%20id/$opt-in?purpose=HRESCH", 400)]
    public async Task OptOut_BadRequest_ProblemDetails(string template, int status)
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);

        var response = await steward.PostAsync(new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, patient), UriKind.Relative), null);

        await response.AssertProblemAsync(status);
    }

    [Fact]
    public async Task OptOut_Hospital_403()
    {
        var patient = await ConsentHttp.CreatePatientAsync(hospital);

        var response = await hospital.PostAsync(new Uri($"/steward/consents/{patient}/$opt-out?purpose=HRESCH", UriKind.Relative), null);

        Assert.Equal(403, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("""{"patient":"Patient/nobody","purpose":"HRESCH","resourceType":"Observation"}""", 404, "")]
    [InlineData("""{"patient":"Patient/x","purpose":"RESEARCH","resourceType":"Observation"}""", 400, "purpose")]
    [InlineData("""{"patient":"x","purpose":"HRESCH","resourceType":"Observation"}""", 400, "patient")]
    [InlineData("""{"patient":"Patient/x","purpose":"HRESCH","resourceType":"Observaton"}""", 400, "resourceType")]
    [InlineData("""{"patient":"Patient/x","purpose":"HRESCH","resourceType":"Observation","actor":"not a ref"}""", 400, "actor")]
    [InlineData("""{"patient":"Patient/x","purpose":"HRESCH","resourceType":"Observation","date":"yesterday"}""", 400, "date")]
    [InlineData("""{"patient":"Patient/x","purpose":"HRESCH","resourceType":"Observation","colour":"red"}""", 400, "")]
    [InlineData("""{"patient":"Patient/x","purpose":""", 400, "")]
    [InlineData("""[1,2]""", 400, "")]
    public async Task Evaluate_BadQuestion_4xxProblemDetails(string body, int status, string mentions)
    {
        var response = await steward.PostAsync(new Uri("/consent/$evaluate", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var text = await response.AssertProblemAsync(status);

        Assert.Contains(mentions, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GatewayRoles.Hospital)]
    [InlineData(GatewayRoles.Researcher)]
    [InlineData(GatewayRoles.Device)]
    public async Task Evaluate_NotSteward_403(string role)
    {
        var client = fixture.Gateway.CreateClientFor(role, "someone");

        var response = await client.PostAsJsonAsync("/consent/$evaluate", ConsentHttp.Question("x"));

        Assert.Equal(403, (int)response.StatusCode);
    }
}
