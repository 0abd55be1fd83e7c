using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Tests.Fhir;

public sealed class ResourceIndexerTests
{
    private readonly ResourceIndexer indexer = new(SearchParameterRegistry.Shared);

    private static IEnumerable<IndexEntry> Of(IEnumerable<IndexEntry> entries, string param) => entries.Where(e => e.Param == param);

    [Fact]
    public void Extract_Patient_IndexesNamesIdentifiersTelecomAndBirthDate()
    {
        var patient = new Patient
        {
            Name = [new HumanName { Family = "Georgiou", Given = ["Eleni", "Anna"] }],
            Identifier = [new Identifier("urn:mrn", "123")],
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, "+357 22 000000")],
            BirthDate = "1950-07",
            Gender = AdministrativeGender.Female,
            Deceased = new FhirBoolean(false),
        };

        var entries = indexer.Extract(patient);

        Assert.Equal(["anna", "eleni", "georgiou"], Of(entries, "name").Select(e => e.Code).Order());
        Assert.Equal(["georgiou"], Of(entries, "family").Select(e => e.Code));
        Assert.Contains(Of(entries, "identifier"), e => e.System == "urn:mrn" && e.Code == "123");
        Assert.Contains(Of(entries, "phone"), e => e.Code == "+357 22 000000");
        Assert.Empty(Of(entries, "email"));
        Assert.Contains(Of(entries, "gender"), e => e.System == "http://hl7.org/fhir/administrative-gender" && e.Code == "female");
        var birth = Assert.Single(Of(entries, "birthdate"));
        Assert.Equal(new DateTime(1950, 7, 1, 0, 0, 0, DateTimeKind.Utc).Ticks, birth.Low);
        Assert.Equal(new DateTime(1950, 8, 1, 0, 0, 0, DateTimeKind.Utc).Ticks, birth.High);
    }

    [Fact]
    public void Extract_ObservationWithPatientSubject_IndexesSubjectAndPatientButNotDeviceOnlyParameters()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "59408-5"),
            Subject = new ResourceReference("Patient/p1"),
            Effective = new Period(new FhirDateTime("2024-01-01"), null),
            Value = new Quantity(97, "%", "http://unitsofmeasure.org"),
        };

        var entries = indexer.Extract(observation);

        Assert.Contains(Of(entries, "subject"), e => e.System == "Patient" && e.Code == "p1");
        Assert.Contains(Of(entries, "patient"), e => e.System == "Patient" && e.Code == "p1");
        Assert.Contains(Of(entries, "value-quantity"), e => e.Number == 97 && e.Code == "%");
        var date = Assert.Single(Of(entries, "date"));
        Assert.Equal(DateTime.MaxValue.Ticks, date.High);
    }

    [Fact]
    public void Extract_ObservationWithDeviceSubject_HasNoPatientEntry()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4"),
            Subject = new ResourceReference("Device/d1"),
        };

        var entries = indexer.Extract(observation);

        Assert.Contains(Of(entries, "subject"), e => e.System == "Device");
        Assert.Empty(Of(entries, "patient"));
    }

    [Fact]
    public void Registry_PatientDeceased_UsesTheFhirPathFallbackAndStillIndexes()
    {
        Assert.True(SearchParameterRegistry.Shared.TryGet("Patient", "deceased", out var deceased));
        Assert.Contains(deceased.Plans, p => p.UsesFallback);

        var entries = indexer.Extract(new Patient { Deceased = new FhirDateTime("2020-01-01") });

        Assert.Contains(Of(entries, "deceased"), e => e.Code == "true");
    }

    [Fact]
    public void Registry_EveryResourceTypeHasCommonParameters()
    {
        foreach (var type in new[] { "Patient", "Observation", "Consent", "Device", "AuditEvent" })
        {
            Assert.True(SearchParameterRegistry.Shared.TryGet(type, "_tag", out _), type);
            Assert.True(SearchParameterRegistry.Shared.TryGet(type, "_profile", out _), type);
        }
    }
}
