using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>
/// The foundation's acceptance test: every Synthea bundle in shared/data loads through the REST API (the hospital
/// information batches first, since patient bundles refer to them by conditional reference), every reference in the
/// stored data resolves to a stored resource, and each patient is found by its medical record number.
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class SyntheaIngestTests(GatewayFixture fixture) : IDisposable
{
    private readonly GatewayFactory gateway = new(fixture.Identity);

    [Fact]
    public async Task AllSyntheaBundles_LoadResolveAndAreFindable()
    {
        var hospital = gateway.CreateClientFor(GatewayRoles.Hospital, "synthea-hospital");
        var files = SyntheaData.HospitalInformationFiles.Concat(SyntheaData.HospitalPatientFiles).Concat(SyntheaData.PatientFiles).ToList();
        var expectedPatients = new List<Identifier>();
        var created = 0;

        foreach (var file in files)
        {
            var bundle = SyntheaData.Load(file);
            expectedPatients.AddRange(bundle.Entry.Select(e => e.Resource).OfType<Patient>()
                .Select(p => p.Identifier.First(i => i.Type?.Coding.Any(c => c.Code == "MR") == true)));
            var response = await hospital.PostAsync("/fhir", FhirClient.Body(await File.ReadAllTextAsync(file)));
            var result = await response.ReadAsync<Bundle>();
            Assert.True(response.IsSuccessStatusCode, $"{Path.GetFileName(file)}: {(int)response.StatusCode}");
            Assert.All(result.Entry, e => Assert.StartsWith("20", e.Response.Status, StringComparison.Ordinal));
            created += result.Entry.Count(e => e.Response.Status.StartsWith("201", StringComparison.Ordinal));
        }

        var stored = await LoadEverythingAsync(gateway.CreateClientFor(GatewayRoles.Steward, "steward"));
        var references = stored.Values
            .SelectMany(r => ReferenceWalkerForTests.FindAll(r).Select(x => x.Reference))
            .Where(reference => reference is not null && !reference.StartsWith('#'))
            .ToList();
        var unresolved = references
            .Where(reference => !ReferenceParser.TryParse(reference, out var type, out var id) || !stored.ContainsKey($"{type}/{id}"))
            .Distinct()
            .ToList();

        var names = stored.Values.OfType<Patient>().SelectMany(p => p.Name.Select(n => n.Family)).Where(n => n is { Length: > 3 }).Distinct().ToList();
        var identifiers = expectedPatients.Select(i => i.Value).ToList();
        Assert.Equal(20 + 14, expectedPatients.Count);
        Assert.NotEmpty(gateway.Logs.Messages);
        Assert.DoesNotContain(gateway.Logs.Messages, m => names.Any(n => m.Contains(n!, StringComparison.Ordinal)));
        Assert.DoesNotContain(gateway.Logs.Messages, m => identifiers.Any(i => m.Contains(i, StringComparison.Ordinal)));
        Assert.Equal(created, stored.Count);
        Assert.True(references.Count > 50_000, $"only {references.Count} references checked");
        Assert.Empty(unresolved);
        foreach (var mrn in expectedPatients)
        {
            var found = await (await hospital.GetAsync($"/fhir/Patient?identifier={Uri.EscapeDataString($"{mrn.System}|{mrn.Value}")}")).ReadAsync<Bundle>();
            Assert.Equal(1, found.Total);
        }
    }

    /// <summary>Every current resource, read back through search, keyed Type/id.</summary>
    private static async Task<Dictionary<string, Resource>> LoadEverythingAsync(HttpClient steward)
    {
        var all = new Dictionary<string, Resource>(StringComparer.Ordinal);
        var types = new[]
        {
            "Patient", "Organization", "Location", "Practitioner", "PractitionerRole", "Encounter", "Condition", "Observation",
            "DiagnosticReport", "DocumentReference", "Claim", "ExplanationOfBenefit", "Immunization", "Procedure",
            "MedicationRequest", "CarePlan", "Goal", "ImagingStudy", "AllergyIntolerance", "Provenance", "CareTeam",
            "Medication", "MedicationAdministration", "Device", "SupplyDelivery",
        };
        foreach (var type in types)
        {
            string? url = $"/fhir/{type}?_count=1000";
            while (url is not null)
            {
                var page = await (await steward.GetAsync(url)).ReadAsync<Bundle>();
                foreach (var entry in page.Entry)
                {
                    all[$"{type}/{entry.Resource!.Id}"] = entry.Resource;
                }

                url = page.Link.FirstOrDefault(l => l.Relation == "next") is { } next ? new Uri(next.Url).PathAndQuery : null;
            }
        }

        return all;
    }

    public void Dispose() => gateway.Dispose();
}
