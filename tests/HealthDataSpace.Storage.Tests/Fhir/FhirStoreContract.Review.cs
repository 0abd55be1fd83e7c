using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;
using static HealthDataSpace.Storage.Tests.Infrastructure.FhirTestEngine;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>Edge cases found in review: references by absolute URL, nested bundles, repeated targets, conditions.</summary>
public abstract partial class FhirStoreContract
{
    [Fact]
    public async Task Create_AbsoluteReferenceToThisServer_StoredRelativeAndTenancyChecked()
    {
        var mine = await Engine.CreateAsync(HospitalA, NewPatient());
        var theirs = await Engine.CreateAsync(HospitalB, NewPatient());

        var ok = await Engine.CreateAsync(HospitalA, HeartRate($"{BaseUrl}/Patient/{mine.Id}"));
        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.CreateAsync(HospitalA, HeartRate($"{BaseUrl}/Patient/{theirs.Id}")));

        Assert.Equal($"Patient/{mine.Id}", Parse<Observation>(ok).Subject.Reference);
        Assert.Equal(422, error.Status);
    }

    [Fact]
    public async Task Search_ExternalAbsoluteReference_MatchesByUrlNotByLocalId()
    {
        var stored = await Engine.CreateAsync(HospitalA, HeartRate("http://other.example/fhir/Patient/123"));

        var byLocalId = await Engine.SearchIdsAsync(HospitalA, "Observation", "subject=Patient/123");
        var byUrl = await Engine.SearchIdsAsync(HospitalA, "Observation", "subject=http://other.example/fhir/Patient/123");

        Assert.Empty(byLocalId);
        Assert.Equal([stored.Id], byUrl);
    }

    [Fact]
    public async Task Create_DocumentBundleWithInternalUrnReferences_AcceptedAsIs()
    {
        var document = new Bundle { Type = Bundle.BundleType.Document, Identifier = new Identifier("urn:ietf:rfc:3986", "urn:uuid:0c3a2d6e-0000-4000-8000-000000000001"), Timestamp = DateTimeOffset.UtcNow };
        document.Entry.Add(new Bundle.EntryComponent { FullUrl = "urn:uuid:0c3a2d6e-0000-4000-8000-0000000000a1", Resource = HeartRate("urn:uuid:0c3a2d6e-0000-4000-8000-0000000000b2") });
        document.Entry.Add(new Bundle.EntryComponent { FullUrl = "urn:uuid:0c3a2d6e-0000-4000-8000-0000000000b2", Resource = NewPatient() });

        var stored = await Engine.CreateAsync(HospitalA, document);

        var reread = Parse<Bundle>(stored);
        Assert.Equal("urn:uuid:0c3a2d6e-0000-4000-8000-0000000000b2", ((Observation)reread.Entry[0].Resource).Subject.Reference);
    }

    [Fact]
    public async Task Transaction_SameResourceWrittenTwice_Rejected400AndNothingStored()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var family in new[] { "First", "Second" })
        {
            var patient = NewPatient(family);
            patient.Id = "twice";
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = patient, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = "Patient/twice" } });
        }

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));

        Assert.Equal(400, error.Status);
        Assert.Equal(0, (await Engine.SearchAsync(Steward, "Patient", "_summary=count")).Total);
    }

    [Fact]
    public async Task Transaction_ConditionalReferenceToLaterIfNoneExistEntry_ResolvesToThatEntry()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(Post(HeartRate("Patient?identifier=urn:oid:1.2.36.146.595.217.0.1|LATER-1")));
        bundle.Entry.Add(Post(NewPatient(mrn: "LATER-1"), ifNoneExist: "identifier=urn:oid:1.2.36.146.595.217.0.1|LATER-1"));

        var response = await Engine.TransactionAsync(HospitalA, bundle);
        var observation = Parse<Observation>(await Engine.Service.ReadAsync(HospitalA, "Observation", response.Entry[0].Response.Location.Split('/')[1], CancellationToken.None));

        Assert.Equal($"Patient/{response.Entry[1].Response.Location.Split('/')[1]}", observation.Subject.Reference);
    }

    [Fact]
    public async Task Transaction_PutWithVersionInUrl_Rejected400()
    {
        var patient = NewPatient();
        patient.Id = "versioned";
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = patient, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = "Patient/versioned/_history/2" } });

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.TransactionAsync(HospitalA, bundle));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Create_IfNoneExistWithSummaryCount_StillMatchesExisting()
    {
        var first = await Engine.CreateAsync(HospitalA, NewPatient(mrn: "CNT-1"));

        var second = await Engine.Service.CreateAsync(HospitalA, NewPatient(mrn: "CNT-1"), "identifier=CNT-1&_summary=count", CancellationToken.None);

        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Resource.Id);
    }

    [Theory]
    [InlineData("_id:missing=true")]
    [InlineData("_lastUpdated:missing=false")]
    public async Task Search_MissingOnAlwaysPresentParameter_400(string query)
    {
        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.SearchAsync(HospitalA, "Patient", query));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Search_TooManyOredValues_400()
    {
        var ids = string.Join(",", Enumerable.Range(0, 101).Select(i => $"id-{i}"));

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.SearchAsync(HospitalA, "Patient", $"_id={ids}"));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Search_StringPrefix_MatchesOnlyThatPrefix()
    {
        await Engine.CreateAsync(HospitalA, NewPatient("Abc"));
        await Engine.CreateAsync(HospitalA, NewPatient("Abd"));
        await Engine.CreateAsync(HospitalA, NewPatient("Ab"));

        Assert.Equal(1, (await Engine.SearchAsync(HospitalA, "Patient", "family=abc&_summary=count")).Total);
        Assert.Equal(3, (await Engine.SearchAsync(HospitalA, "Patient", "family=ab&_summary=count")).Total);
    }
}
