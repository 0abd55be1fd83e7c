using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Storage.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static HealthDataSpace.Storage.Tests.Infrastructure.FhirTestEngine;

namespace HealthDataSpace.Storage.Tests.Fhir;

public abstract partial class FhirStoreContract
{
    private static Bundle.EntryComponent Post(Resource resource, string? fullUrl = null, string? ifNoneExist = null) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName, IfNoneExist = ifNoneExist },
    };

    private static Observation HeartRate(string subject) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://loinc.org", "8867-4"),
        Subject = new ResourceReference(subject),
    };

    [Fact]
    public async Task Transaction_UrnUuidReferences_RewrittenToAssignedIds()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        // The observation comes first and points forwards at the patient.
        bundle.Entry.Add(Post(HeartRate("urn:uuid:7f2d4b1e-0000-4000-8000-000000000002")));
        bundle.Entry.Add(Post(NewPatient(), "urn:uuid:7f2d4b1e-0000-4000-8000-000000000002"));

        var response = await Engine.TransactionAsync(HospitalA, bundle);

        Assert.Equal(Bundle.BundleType.TransactionResponse, response.Type);
        Assert.All(response.Entry, e => Assert.Equal("201 Created", e.Response.Status));
        var patientId = response.Entry[1].Response.Location.Split('/')[1];
        var observationId = response.Entry[0].Response.Location.Split('/')[1];
        var observation = Parse<Observation>(await Engine.Service.ReadAsync(HospitalA, "Observation", observationId, CancellationToken.None));
        Assert.Equal($"Patient/{patientId}", observation.Subject.Reference);
        Assert.Equal("W/\"1\"", response.Entry[1].Response.Etag);
    }

    [Fact]
    public async Task Transaction_OneBadEntry_RollsBackEverything()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(Post(NewPatient(mrn: "ROLLBACK-1"), "urn:uuid:0d2a7c3e-0000-4000-8000-000000000001"));
        bundle.Entry.Add(Post(HeartRate("urn:uuid:0d2a7c3e-0000-4000-8000-000000000001")));
        bundle.Entry.Add(Post(HeartRate("Patient/not-here")));

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));
        var patients = await Engine.SearchAsync(Steward, "Patient", "_summary=count");
        var observations = await Engine.SearchAsync(Steward, "Observation", "_summary=count");

        Assert.Equal(422, error.Status);
        Assert.Contains("entry 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, patients.Total);
        Assert.Equal(0, observations.Total);
    }

    [Fact]
    public async Task Transaction_UndeclaredUrnReference_Fails422()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(Post(HeartRate("urn:uuid:11111111-2222-4333-8444-555555555555")));

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));

        Assert.Equal(422, error.Status);
    }

    [Fact]
    public async Task Transaction_ConditionalReferenceAndIfNoneExist_ResolveAgainstStoredAndEarlierEntries()
    {
        var practitioner = new Practitioner { Identifier = [new Identifier("http://hl7.org/fhir/sid/us-npi", "9999999999")] };
        var stored = await Engine.CreateAsync(HospitalA, practitioner);
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        var organization = new Organization { Name = "Clinic", Identifier = [new Identifier("https://example.org/org", "ORG-1")] };
        bundle.Entry.Add(Post(organization, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001", "identifier=https://example.org/org|ORG-1"));
        bundle.Entry.Add(Post(new Organization { Name = "Clinic again", Identifier = [new Identifier("https://example.org/org", "ORG-1")] },
            "urn:uuid:aaaaaaaa-0000-4000-8000-000000000002", "identifier=https://example.org/org|ORG-1"));
        var encounter = new Encounter
        {
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
            Participant = [new Encounter.ParticipantComponent { Individual = new ResourceReference("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999999999") }],
            ServiceProvider = new ResourceReference("Organization?identifier=https://example.org/org|ORG-1"),
        };
        bundle.Entry.Add(Post(encounter));

        var response = await Engine.TransactionAsync(HospitalA, bundle);
        var encounterId = response.Entry[2].Response.Location.Split('/')[1];
        var saved = Parse<Encounter>(await Engine.Service.ReadAsync(HospitalA, "Encounter", encounterId, CancellationToken.None));
        var organizations = await Engine.SearchAsync(HospitalA, "Organization", "_summary=count");

        Assert.Equal($"Practitioner/{stored.Id}", saved.Participant[0].Individual.Reference);
        Assert.Equal(response.Entry[0].Response.Location.Split('/')[1], saved.ServiceProvider.Reference.Split('/')[1]);
        Assert.Equal("200 OK", response.Entry[1].Response.Status);
        Assert.Equal(1, organizations.Total);
    }

    [Fact]
    public async Task Transaction_ConditionalReferenceWithNoMatch_Fails422()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(Post(HeartRate("Patient?identifier=nobody|0")));

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));

        Assert.Equal(422, error.Status);
    }

    [Fact]
    public async Task Transaction_PutDeleteAndGet_ProcessedInSpecOrder()
    {
        var doomed = await Engine.CreateAsync(HospitalA, NewPatient(mrn: "DOOMED"));
        var kept = NewPatient(mrn: "KEPT");
        kept.Id = "kept-patient";
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = "Patient/kept-patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = kept, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = "Patient/kept-patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.DELETE, Url = $"Patient/{doomed.Id}" } });

        var response = await Engine.TransactionAsync(HospitalA, bundle);

        Assert.Equal("200 OK", response.Entry[0].Response.Status);
        Assert.Equal("kept-patient", response.Entry[0].Resource!.Id);
        Assert.Equal("201 Created", response.Entry[1].Response.Status);
        Assert.Equal("204 No Content", response.Entry[2].Response.Status);
        await Assert.ThrowsAsync<FhirException>(() => Engine.Service.ReadAsync(HospitalA, "Patient", doomed.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Batch_OneBadEntry_OthersStillSucceed()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Batch };
        bundle.Entry.Add(Post(NewPatient(mrn: "BATCH-1")));
        bundle.Entry.Add(Post(HeartRate("Patient/missing")));
        bundle.Entry.Add(Post(NewPatient(mrn: "BATCH-2")));

        var response = await Engine.TransactionAsync(HospitalA, bundle);
        var patients = await Engine.SearchAsync(HospitalA, "Patient", "_summary=count");

        Assert.Equal(Bundle.BundleType.BatchResponse, response.Type);
        Assert.Equal(["201 Created", "422", "201 Created"], response.Entry.Select(e => e.Response.Status));
        Assert.NotNull(response.Entry[1].Response.Outcome);
        Assert.Equal(2, patients.Total);
    }

    [Fact]
    public async Task Batch_MalformedEntry_AnsweredAloneOthersStored()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Batch };
        bundle.Entry.Add(Post(NewPatient(mrn: "MAL-1")));
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = NewPatient(mrn: "MAL-2") });
        bundle.Entry.Add(Post(NewPatient(mrn: "MAL-3")));

        var response = await Engine.TransactionAsync(HospitalA, bundle);

        Assert.Equal(["201 Created", "400", "201 Created"], response.Entry.Select(e => e.Response.Status));
        Assert.Contains("no request", response.Entry[1].Response.Outcome is OperationOutcome o ? o.Issue[0].Diagnostics : "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bundle_OfTypeCollection_Rejected400()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = NewPatient() });

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Transaction_ResourceTypeDiffersFromRequestUrl_Rejected400()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = NewPatient(), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" } });

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Transaction_SyntheaPatientBundle_EveryReferenceResolvesAndIdentifierFindsPatient()
    {
        var bundle = SyntheaData.Load(SyntheaData.SmallestPatientFile);
        var patient = (Patient)bundle.Entry.Single(e => e.Resource is Patient).Resource!;
        var mrn = patient.Identifier.First(i => i.Type?.Coding.Any(c => c.Code == "MR") == true);
        var expectedCount = bundle.Entry.Count;

        var response = await Engine.TransactionAsync(HospitalA, bundle);
        var found = await Engine.SearchAsync(HospitalA, "Patient", $"identifier={mrn.System}|{mrn.Value}");

        Assert.Equal(expectedCount, response.Entry.Count(e => e.Response.Status == "201 Created"));
        Assert.Equal(1, found.Total);
        await AssertAllReferencesResolveAsync(response);
    }

    private async Task AssertAllReferencesResolveAsync(Bundle response)
    {
        var checkedTargets = 0;
        foreach (var entry in response.Entry)
        {
            var parts = entry.Response.Location.Split('/');
            var stored = Parse<Resource>(await Engine.Service.ReadAsync(HospitalA, parts[0], parts[1], CancellationToken.None));
            foreach (var reference in ReferenceWalkerForTests.FindAll(stored))
            {
                if (reference.Reference is null || reference.Reference.StartsWith('#'))
                {
                    continue;
                }

                Assert.True(ReferenceParser.TryParse(reference.Reference, out var type, out var id), $"Unresolved reference form in {parts[0]}");
                await Engine.Service.ReadAsync(HospitalA, type, id, CancellationToken.None);
                checkedTargets++;
            }
        }

        Assert.True(checkedTargets > 0);
    }
}
