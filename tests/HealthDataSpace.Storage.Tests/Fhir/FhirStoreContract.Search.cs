using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;
using static HealthDataSpace.Storage.Tests.Infrastructure.FhirTestEngine;

namespace HealthDataSpace.Storage.Tests.Fhir;

public abstract partial class FhirStoreContract
{
    private async Task<(string Anna, string Bob, string Chloe)> SeedPeopleAsync()
    {
        var anna = await Engine.CreateAsync(HospitalA, new Patient
        {
            Name = [new HumanName { Family = "Müller", Given = ["Anna"] }],
            Identifier = [new Identifier("http://hospital.example/mrn", "A-100"), new Identifier("http://passport.example", "P-77")],
            Gender = AdministrativeGender.Female,
            BirthDate = "1985-03-04",
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "anna@example.org")],
        });
        var bob = await Engine.CreateAsync(HospitalA, new Patient
        {
            Name = [new HumanName { Family = "Mullins", Given = ["Bob"] }],
            Identifier = [new Identifier("http://hospital.example/mrn", "B-200")],
            Gender = AdministrativeGender.Male,
            BirthDate = "1990",
        });
        var chloe = await Engine.CreateAsync(HospitalA, new Patient
        {
            Name = [new HumanName { Family = "Papadopoulou", Given = ["Chloé"] }],
            Identifier = [new Identifier("http://other.example/mrn", "A-100")],
            Gender = AdministrativeGender.Female,
            BirthDate = "1985-12-31",
        });
        return (anna.Id, bob.Id, chloe.Id);
    }

    [Theory]
    [InlineData("identifier=http://hospital.example/mrn|A-100", "Anna")]
    [InlineData("identifier=A-100", "Anna,Chloe")]
    [InlineData("identifier=http://other.example/mrn|", "Chloe")]
    [InlineData("identifier=|A-100", "")]
    [InlineData("gender=female", "Anna,Chloe")]
    [InlineData("gender=http://hl7.org/fhir/administrative-gender|male", "Bob")]
    [InlineData("gender:not=female", "Bob")]
    [InlineData("family=mul", "Anna,Bob")]
    [InlineData("family=MULLER", "Anna")]
    [InlineData("family:exact=Müller", "Anna")]
    [InlineData("family:exact=müller", "")]
    [InlineData("name:contains=opoul", "Chloe")]
    [InlineData("given=chloe", "Chloe")]
    [InlineData("name=anna,bob", "Anna,Bob")]
    [InlineData("email=anna@example.org", "Anna")]
    [InlineData("birthdate=1985", "Anna,Chloe")]
    [InlineData("birthdate=1985-03", "Anna")]
    [InlineData("birthdate=ge1985-06-01", "Bob,Chloe")]
    [InlineData("birthdate=lt1986-01-01", "Anna,Chloe")]
    [InlineData("birthdate=gt1990-06-01", "Bob")]
    [InlineData("birthdate=gt1991-01-01", "")]
    [InlineData("birthdate=le1990-12-31", "Anna,Bob,Chloe")]
    [InlineData("birthdate=ge1985&birthdate=le1985-06", "Anna")]
    [InlineData("gender=female&family=mul", "Anna")]
    [InlineData("telecom:missing=true", "Bob,Chloe")]
    public async Task Search_PatientParameters_MatchFhirSemantics(string query, string expected)
    {
        var (anna, bob, chloe) = await SeedPeopleAsync();
        var names = new Dictionary<string, string> { [anna] = "Anna", [bob] = "Bob", [chloe] = "Chloe" };

        var ids = await Engine.SearchIdsAsync(HospitalA, "Patient", query);

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), ids.Select(i => names[i]).Order());
    }

    [Fact]
    public async Task Search_ById_FindsOnlyThatResource()
    {
        var (anna, _, chloe) = await SeedPeopleAsync();

        var ids = await Engine.SearchIdsAsync(HospitalA, "Patient", $"_id={anna},{chloe}");

        Assert.Equal(new[] { anna, chloe }.Order(), ids.Order());
    }

    [Fact]
    public async Task Search_ObservationsBySubjectCodeCategoryAndDate_MatchesReferencesAndPeriods()
    {
        var (anna, bob, _) = await SeedPeopleAsync();
        Observation Obs(string patient, string code, string effective) => new()
        {
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")],
            Code = new CodeableConcept("http://loinc.org", code),
            Subject = new ResourceReference($"Patient/{patient}"),
            Effective = new FhirDateTime(effective),
            Value = new Quantity(72, "/min", "http://unitsofmeasure.org"),
        };
        var heartRate = await Engine.CreateAsync(HospitalA, Obs(anna, "8867-4", "2024-01-10T08:30:00Z"));
        var spo2 = await Engine.CreateAsync(HospitalA, Obs(anna, "59408-5", "2024-02-01T10:00:00+02:00"));
        var bobs = await Engine.CreateAsync(HospitalA, Obs(bob, "8867-4", "2023-12-31T23:59:00Z"));

        Assert.Equal(new[] { heartRate.Id, spo2.Id }.Order(), (await Engine.SearchIdsAsync(HospitalA, "Observation", $"subject=Patient/{anna}")).Order());
        Assert.Equal(new[] { heartRate.Id, spo2.Id }.Order(), (await Engine.SearchIdsAsync(HospitalA, "Observation", $"patient={anna}")).Order());
        Assert.Equal(new[] { heartRate.Id, spo2.Id }.Order(), (await Engine.SearchIdsAsync(HospitalA, "Observation", $"subject:Patient={anna}")).Order());
        Assert.Equal(new[] { heartRate.Id, bobs.Id }.Order(), (await Engine.SearchIdsAsync(HospitalA, "Observation", "code=http://loinc.org|8867-4")).Order());
        Assert.Equal(3, (await Engine.SearchIdsAsync(HospitalA, "Observation", "category=vital-signs")).Count);
        Assert.Equal([heartRate.Id], await Engine.SearchIdsAsync(HospitalA, "Observation", "date=2024-01-10"));
        Assert.Equal([bobs.Id], await Engine.SearchIdsAsync(HospitalA, "Observation", "date=lt2024-01-01"));
        Assert.Equal([spo2.Id], await Engine.SearchIdsAsync(HospitalA, "Observation", "date=ge2024-01-11"));
        Assert.Equal([spo2.Id], await Engine.SearchIdsAsync(HospitalA, "Observation", "date=2024-02-01T08:00:00Z"));
        Assert.Equal(3, (await Engine.SearchIdsAsync(HospitalA, "Observation", "value-quantity=gt70")).Count);
        Assert.Empty(await Engine.SearchIdsAsync(HospitalA, "Observation", "value-quantity=lt70"));
    }

    [Fact]
    public async Task Search_ReferenceIdentifierModifier_MatchesLogicalReferencesOnly()
    {
        // Reference.identifier (a logical reference, e.g. a user who is not a FHIR resource) is found with ':identifier'.
        DocumentReference Doc(ResourceReference author) => new()
        {
            Status = DocumentReferenceStatus.Current,
            Author = [author],
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain" } }],
        };
        var logical = await Engine.CreateAsync(HospitalA, Doc(new ResourceReference { Identifier = new Identifier("urn:example:staff", "u-17") }));
        await Engine.CreateAsync(HospitalA, Doc(new ResourceReference { Identifier = new Identifier("urn:example:other", "u-17") }));

        Assert.Equal([logical.Id], await Engine.SearchIdsAsync(HospitalA, "DocumentReference", "author:identifier=urn:example:staff|u-17"));
        Assert.Equal(2, (await Engine.SearchIdsAsync(HospitalA, "DocumentReference", "author:identifier=u-17")).Count);
        Assert.Empty(await Engine.SearchIdsAsync(HospitalA, "DocumentReference", "author:identifier=urn:example:staff|u-18"));
        // A plain reference search does not match identifier-only references.
        Assert.Empty(await Engine.SearchIdsAsync(HospitalA, "DocumentReference", "author=u-17"));
    }

    [Fact]
    public async Task Search_EncounterDatePeriod_UsesTheWholePeriod()
    {
        var (anna, _, _) = await SeedPeopleAsync();
        var stay = await Engine.CreateAsync(HospitalA, new Encounter
        {
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"),
            Subject = new ResourceReference($"Patient/{anna}"),
            Period = new Period(new FhirDateTime("2024-03-01T10:00:00Z"), new FhirDateTime("2024-03-05T12:00:00Z")),
        });

        Assert.Equal([stay.Id], await Engine.SearchIdsAsync(HospitalA, "Encounter", "date=2024-03"));
        Assert.Empty(await Engine.SearchIdsAsync(HospitalA, "Encounter", "date=2024-03-03"));
        Assert.Equal([stay.Id], await Engine.SearchIdsAsync(HospitalA, "Encounter", "date=ge2024-03-02"));
        Assert.Equal([stay.Id], await Engine.SearchIdsAsync(HospitalA, "Encounter", "date=lt2024-03-02"));
        Assert.Empty(await Engine.SearchIdsAsync(HospitalA, "Encounter", "date=gt2024-03-06"));
        Assert.Equal([stay.Id], await Engine.SearchIdsAsync(HospitalA, "Encounter", $"patient=Patient/{anna}"));
    }

    [Fact]
    public async Task Search_Paging_WalksAllResultsOnceWithNextLinks()
    {
        for (var i = 0; i < 7; i++)
        {
            await Engine.CreateAsync(HospitalA, NewPatient(mrn: $"PAGE-{i}"));
        }

        var seen = new List<string>();
        var page = await Engine.SearchAsync(HospitalA, "Patient", "_count=3");
        while (true)
        {
            seen.AddRange(page.Entry.Select(e => e.Resource!.Id!));
            var next = page.Link.FirstOrDefault(l => l.Relation == "next");
            if (next is null)
            {
                break;
            }

            Assert.StartsWith(BaseUrl + "/Patient?", next.Url, StringComparison.Ordinal);
            page = await Engine.SearchAsync(HospitalA, "Patient", new Uri(next.Url).Query);
        }

        Assert.Equal(7, page.Total);
        Assert.Equal(7, seen.Distinct().Count());
        Assert.Contains(page.Link, l => l.Relation == "previous");
    }

    [Fact]
    public async Task Search_SummaryCount_ReturnsTotalWithoutEntries()
    {
        await SeedPeopleAsync();

        var result = await Engine.SearchAsync(HospitalA, "Patient", "gender=female&_summary=count");

        Assert.Equal(2, result.Total);
        Assert.Empty(result.Entry);
    }

    [Fact]
    public async Task Search_SortByLastUpdatedDescending_NewestFirst()
    {
        var (anna, bob, chloe) = await SeedPeopleAsync();

        var ids = await Engine.SearchIdsAsync(HospitalA, "Patient", "_sort=-_lastUpdated");

        Assert.Equal([chloe, bob, anna], ids);
    }

    [Fact]
    public async Task Search_LastUpdated_FindsRecentWrites()
    {
        await SeedPeopleAsync();
        var since = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var recent = await Engine.SearchAsync(HospitalA, "Patient", $"_lastUpdated=ge{since}&_summary=count");
        var future = await Engine.SearchAsync(HospitalA, "Patient", "_lastUpdated=gt2999-01-01&_summary=count");

        Assert.Equal(3, recent.Total);
        Assert.Equal(0, future.Total);
    }

    [Fact]
    public async Task Search_OtherHospital_SeesNothingStewardSeesAll()
    {
        await SeedPeopleAsync();

        var asB = await Engine.SearchAsync(HospitalB, "Patient", "_summary=count");
        var asSteward = await Engine.SearchAsync(Steward, "Patient", "_summary=count");

        Assert.Equal(0, asB.Total);
        Assert.Equal(3, asSteward.Total);
    }

    [Theory]
    [InlineData("nonsense=1", 400)]
    [InlineData("birthdate=yesterday", 400)]
    [InlineData("family:regex=x", 400)]
    [InlineData("_count=-1", 400)]
    [InlineData("general-practitioner.name=x", 400)]
    [InlineData("_sort=family", 400)]
    public async Task Search_BadParameters_ClearClientError(string query, int status)
    {
        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.SearchAsync(HospitalA, "Patient", query));

        Assert.Equal(status, error.Status);
    }

    [Fact]
    public async Task Search_UnknownParameterWhenLenient_IsIgnoredAndLeftOutOfSelfLink()
    {
        await SeedPeopleAsync();

        var result = await Engine.SearchAsync(HospitalA, "Patient", "nonsense=1&gender=male", lenient: true);

        Assert.Equal(1, result.Total);
        Assert.DoesNotContain("nonsense", result.Link.Single(l => l.Relation == "self").Url, StringComparison.Ordinal);
    }
}
