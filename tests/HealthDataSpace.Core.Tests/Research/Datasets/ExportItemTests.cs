using System.Text;
using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Core.Tests.Research.Datasets;

/// <summary>What an export reads of a resource for its consent decision: owner, codes, clinical date, security labels.</summary>
public sealed class ExportItemTests
{
    private static ExportItem From(string type, string json) => ExportItem.From(type, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void From_Observation_SubjectCodesEffectivePeriodAndLabels()
    {
        var item = From("Observation", """
            {"resourceType":"Observation","id":"o1","status":"final",
             "meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PSY"},{"code":"R"}]},
             "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"},{"code":"hr"},{"system":"http://x"}]},
             "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2021-03-04T05:06:07Z"},"issued":"2022-01-01T00:00:00Z"}
            """);

        Assert.Equal("p1", item.PatientId);
        Assert.Equal(["http://loinc.org|8867-4", "hr"], item.Codes);
        Assert.Equal(new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero), item.Date);
        Assert.Equal(["http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY", "R"], item.SecurityLabels);
    }

    [Theory]
    [InlineData("""{"resourceType":"Claim","patient":{"reference":"Patient/p2"},"created":"2020-05"}""", "Claim", "p2", "2020-05-01")]
    [InlineData("""{"resourceType":"Coverage","beneficiary":{"reference":"Patient/p3"}}""", "Coverage", "p3", null)]
    [InlineData("""{"resourceType":"Patient","id":"p4","birthDate":"1970"}""", "Patient", "p4", null)]
    [InlineData("""{"resourceType":"Condition","subject":{"reference":"Group/g1"},"recordedDate":"2019-01-02"}""", "Condition", null, "2019-01-02")]
    [InlineData("""{"resourceType":"Practitioner","id":"doc"}""", "Practitioner", null, null)]
    public void From_OwnerAndDate_PerResourceShape(string json, string type, string? patient, string? date)
    {
        var item = From(type, json);

        Assert.Equal(patient, item.PatientId);
        Assert.Equal(date is null ? null : DateTimeOffset.Parse(date + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), item.Date);
        Assert.Empty(item.Codes);
    }

    [Fact]
    public void From_MedicationRequest_MedicationCodes()
    {
        var item = From("MedicationRequest", """
            {"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"Patient/p5"},
             "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"313782"}]},"authoredOn":"2018-07-01"}
            """);

        Assert.Equal(["http://www.nlm.nih.gov/research/umls/rxnorm|313782"], item.Codes);
        Assert.Equal(new DateTimeOffset(2018, 7, 1, 0, 0, 0, TimeSpan.Zero), item.Date);
    }
}
