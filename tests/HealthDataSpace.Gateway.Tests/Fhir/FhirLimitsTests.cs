using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>Configured size and entry limits answer 413 with an OperationOutcome before anything is stored.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class FhirLimitsTests(GatewayFixture fixture) : IDisposable
{
    private readonly GatewayFactory gateway = new GatewayFactory(fixture.Identity)
        .WithSetting("Fhir:MaxBundleBytes", "4096")
        .WithSetting("Fhir:MaxBundleEntries", "3");

    private static Bundle TransactionOf(int patients)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        for (var i = 0; i < patients; i++)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = FhirClient.Patient("Limit", $"L-{i}"),
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" },
            });
        }

        return bundle;
    }

    [Fact]
    public async Task Bundle_MoreEntriesThanAllowed_413AndNothingStored()
    {
        var client = gateway.CreateClientFor(GatewayRoles.Hospital);

        var response = await client.PostAsync("/fhir", TransactionOf(4));
        var count = await (await client.GetAsync("/fhir/Patient?_summary=count")).ReadAsync<Bundle>();

        await response.AssertOutcomeAsync(413);
        Assert.Equal(0, count.Total);
    }

    [Fact]
    public async Task Body_LargerThanAllowed_413()
    {
        var client = gateway.CreateClientFor(GatewayRoles.Hospital);
        var patient = FhirClient.Patient("Big", "BIG-1");
        patient.Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\">{new string('x', 8000)}</div>" };

        var response = await client.PostAsync("/fhir/Patient", patient);

        await response.AssertOutcomeAsync(413);
    }

    [Fact]
    public async Task Bundle_WithinLimits_Accepted()
    {
        var client = gateway.CreateClientFor(GatewayRoles.Hospital);

        var response = await client.PostAsync("/fhir", TransactionOf(3));
        var result = await response.ReadAsync<Bundle>();

        Assert.Equal(3, result.Entry.Count(e => e.Response.Status == "201 Created"));
    }

    public void Dispose() => gateway.Dispose();

    [Fact]
    public async Task ReferentialIntegrityOff_DanglingLocalReferenceAccepted_UndeclaredUrnStillRejected()
    {
        using var lenient = new GatewayFactory(fixture.Identity).WithSetting("Fhir:EnforceReferentialIntegrity", "false");
        var client = lenient.CreateClientFor(GatewayRoles.Hospital);
        Observation Obs(string subject) => new()
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4"),
            Subject = new ResourceReference(subject),
        };

        var dangling = await client.PostAsync("/fhir/Observation", Obs("Patient/example"));
        var urn = await client.PostAsync("/fhir/Observation", Obs("urn:uuid:7d3c1c5e-0000-4000-8000-000000000000"));
        var strict = await gateway.CreateClientFor(GatewayRoles.Hospital).PostAsync("/fhir/Observation", Obs("Patient/example"));

        Assert.Equal(System.Net.HttpStatusCode.Created, dangling.StatusCode);
        await urn.AssertOutcomeAsync(422);
        await strict.AssertOutcomeAsync(422);
    }
}
