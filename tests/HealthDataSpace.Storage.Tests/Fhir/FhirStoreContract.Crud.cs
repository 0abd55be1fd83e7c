using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Storage.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static HealthDataSpace.Storage.Tests.Infrastructure.FhirTestEngine;

namespace HealthDataSpace.Storage.Tests.Fhir;

public abstract partial class FhirStoreContract
{
    private static Patient NewPatient(string family = "Ivanova", string mrn = "MRN-1") => new()
    {
        Name = [new HumanName { Family = family, Given = ["Maria"] }],
        Identifier = [new Identifier("urn:oid:1.2.36.146.595.217.0.1", mrn)],
        Gender = AdministrativeGender.Female,
        BirthDate = "1980-05-17",
    };

    [Fact]
    public async Task Create_NewPatient_AssignsIdAndVersion1()
    {
        var stored = await Engine.CreateAsync(HospitalA, NewPatient());

        var read = await Engine.Service.ReadAsync(HospitalA, "Patient", stored.Id, CancellationToken.None);
        var patient = Parse<Patient>(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(stored.Id, patient.Id);
        Assert.Equal("1", patient.Meta.VersionId);
        Assert.NotNull(patient.Meta.LastUpdated);
        Assert.Equal("Ivanova", patient.Name[0].Family);
    }

    [Fact]
    public async Task Update_TwoTimes_HistoryHasThreeVersionsAndOldVersionsStayReadable()
    {
        var created = await Engine.CreateAsync(HospitalA, NewPatient());
        var patient = Parse<Patient>(created);
        patient.Name[0].Family = "Petrova";
        await Engine.Service.UpdateAsync(HospitalA, "Patient", created.Id, patient, 1, CancellationToken.None);
        patient.Name[0].Family = "Georgiou";
        var third = await Engine.Service.UpdateAsync(HospitalA, "Patient", created.Id, patient, null, CancellationToken.None);

        var history = (Bundle)FhirJson.ParseResource(await Engine.Service.HistoryAsync(HospitalA, "Patient", created.Id, [], CancellationToken.None));
        var first = await Engine.Service.ReadVersionAsync(HospitalA, "Patient", created.Id, "1", CancellationToken.None);

        Assert.Equal(3, third.Resource.Version);
        Assert.False(third.Created);
        Assert.Equal(3, history.Total);
        Assert.Equal(["3", "2", "1"], history.Entry.Select(e => e.Resource!.Meta.VersionId));
        Assert.Equal("Ivanova", Parse<Patient>(first).Name[0].Family);
    }

    [Fact]
    public async Task Update_WithStaleIfMatch_Fails412AndKeepsCurrentVersion()
    {
        var created = await Engine.CreateAsync(HospitalA, NewPatient());
        var patient = Parse<Patient>(created);
        await Engine.Service.UpdateAsync(HospitalA, "Patient", created.Id, patient, 1, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FhirException>(() =>
            Engine.Service.UpdateAsync(HospitalA, "Patient", created.Id, patient, 1, CancellationToken.None));
        var current = await Engine.Service.ReadAsync(HospitalA, "Patient", created.Id, CancellationToken.None);

        Assert.Equal(412, error.Status);
        Assert.Equal(2, current.Version);
    }

    [Fact]
    public async Task Update_UnknownIdWithBodyId_CreatesWithClientId()
    {
        var patient = NewPatient();
        patient.Id = "client-chosen-1";

        var outcome = await Engine.Service.UpdateAsync(HospitalA, "Patient", "client-chosen-1", patient, null, CancellationToken.None);

        var history = (Bundle)FhirJson.ParseResource(await Engine.Service.HistoryAsync(HospitalA, "Patient", "client-chosen-1", [], CancellationToken.None));

        Assert.True(outcome.Created);
        Assert.Equal("client-chosen-1", outcome.Resource.Id);
        Assert.Equal(Bundle.HTTPVerb.PUT, history.Entry[0].Request.Method);
        Assert.Equal("Patient/client-chosen-1", history.Entry[0].Request.Url);
        Assert.Equal("201", history.Entry[0].Response.Status);
    }

    [Fact]
    public async Task Update_BodyIdDiffersFromUrl_Fails400()
    {
        var patient = NewPatient();
        patient.Id = "one";

        var error = await Assert.ThrowsAsync<FhirException>(() =>
            Engine.Service.UpdateAsync(HospitalA, "Patient", "two", patient, null, CancellationToken.None));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Delete_ThenRead_Gone410AndSearchNoLongerFindsIt()
    {
        var created = await Engine.CreateAsync(HospitalA, NewPatient(mrn: "DEL-1"));

        var deleted = await Engine.Service.DeleteAsync(HospitalA, "Patient", created.Id, null, CancellationToken.None);
        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.Service.ReadAsync(HospitalA, "Patient", created.Id, CancellationToken.None));
        var found = await Engine.SearchIdsAsync(HospitalA, "Patient", "identifier=DEL-1");
        var again = await Engine.Service.DeleteAsync(HospitalA, "Patient", created.Id, null, CancellationToken.None);

        Assert.Equal(2, deleted!.Version);
        Assert.Equal(410, error.Status);
        Assert.Empty(found);
        Assert.Null(again);
    }

    [Fact]
    public async Task Read_AnotherHospitalsResource_NotFoundButStewardSeesIt()
    {
        var created = await Engine.CreateAsync(HospitalA, NewPatient());

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.Service.ReadAsync(HospitalB, "Patient", created.Id, CancellationToken.None));
        var asSteward = await Engine.Service.ReadAsync(Steward, "Patient", created.Id, CancellationToken.None);

        Assert.Equal(404, error.Status);
        Assert.Equal("hospital-a", asSteward.Owner);
    }

    [Fact]
    public async Task Update_AnotherHospitalsId_Conflict409AndOriginalUntouched()
    {
        var created = await Engine.CreateAsync(HospitalA, NewPatient("Original"));
        var intruder = NewPatient("Overwritten");
        intruder.Id = created.Id;

        var error = await Assert.ThrowsAsync<FhirException>(() =>
            Engine.Service.UpdateAsync(HospitalB, "Patient", created.Id, intruder, null, CancellationToken.None));
        var current = await Engine.Service.ReadAsync(HospitalA, "Patient", created.Id, CancellationToken.None);

        Assert.Equal(409, error.Status);
        Assert.Equal("Original", Parse<Patient>(current).Name[0].Family);
    }

    [Fact]
    public async Task Create_WithReferenceToUnknownPatient_Fails422AndStoresNothing()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4"),
            Subject = new ResourceReference("Patient/does-not-exist"),
        };

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.CreateAsync(HospitalA, observation));
        var all = await Engine.SearchAsync(Steward, "Observation", "_summary=count");

        Assert.Equal(422, error.Status);
        Assert.Equal(0, all.Total);
    }

    [Fact]
    public async Task Create_WithReferenceToAnotherHospitalsPatient_Fails422()
    {
        var theirs = await Engine.CreateAsync(HospitalB, NewPatient());
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4"),
            Subject = new ResourceReference($"Patient/{theirs.Id}"),
        };

        var error = await Assert.ThrowsAsync<FhirException>(() => Engine.CreateAsync(HospitalA, observation));

        Assert.Equal(422, error.Status);
    }

    [Fact]
    public async Task Create_IfNoneExistMatchingOne_ReturnsExistingWithoutNewVersion()
    {
        var first = await Engine.CreateAsync(HospitalA, NewPatient(mrn: "INE-1"));

        var second = await Engine.Service.CreateAsync(HospitalA, NewPatient(mrn: "INE-1"), "identifier=urn:oid:1.2.36.146.595.217.0.1|INE-1", CancellationToken.None);
        var count = await Engine.SearchAsync(HospitalA, "Patient", "identifier=INE-1&_summary=count");

        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Resource.Id);
        Assert.Equal(1, count.Total);
    }

    [Fact]
    public async Task Create_IfNoneExistMatchingTwo_Fails412()
    {
        await Engine.CreateAsync(HospitalA, NewPatient(mrn: "DUP"));
        await Engine.CreateAsync(HospitalA, NewPatient(mrn: "DUP"));

        var error = await Assert.ThrowsAsync<FhirException>(() =>
            Engine.Service.CreateAsync(HospitalA, NewPatient(mrn: "DUP"), "identifier=DUP", CancellationToken.None));

        Assert.Equal(412, error.Status);
    }
}
