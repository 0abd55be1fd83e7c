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

    [Theory]
    [InlineData("""{"resourceType":"Observation","contained":[{"resourceType":"Observation","subject":{"reference":"Patient/inner"}}],"subject":{"reference":"Patient/p6"}}""", "Observation", "p6")]
    [InlineData("""{"status":"final","subject":{"display":"x","reference":"Patient/p7","type":"Patient"},"resourceType":"Observation"}""", "Observation", "p7")]
    [InlineData("""{"resourceType":"Claim","subject":{"reference":"Group/g"},"patient":{"reference":"Patient/p8"}}""", "Claim", "p8")]
    [InlineData("""{"resourceType":"Claim","beneficiary":{"reference":"Patient/late"},"subject":{"reference":"Patient/first"}}""", "Claim", "first")]
    [InlineData("""{"resourceType":"Observation","subject":"Patient/p9"}""", "Observation", null)]
    [InlineData("""{"resourceType":"Observation","note":[{"text":"subject"}],,"subject":{"reference":"Patient/p10"}}""", "Observation", null)]
    [InlineData("""{"resourceType":"Observation","note":[{"text":"subject"}],"subject":{"reference":"Patient/p10"}""", "Observation", "p10")]
    [InlineData("""{"meta":{"versionId":"1"},"id":"p11","resourceType":"Patient"}""", "Patient", "p11")]
    public void PatientOf_TopLevelReferenceInElementOrder_NotContainedOrMalformed(string json, string type, string? expected)
    {
        Assert.Equal(expected, ExportItem.PatientOf(type, Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Describe_ParsedTree_SameFactsAsTheJson()
    {
        var json = Encoding.UTF8.GetBytes("""
            {"resourceType":"Immunization","id":"i1","status":"completed","patient":{"reference":"Patient/p12"},
             "vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"occurrenceDateTime":"2016-04-10T10:00:00+02:00"}
            """);

        var item = ExportItem.Describe("p12", HealthDataSpace.Core.Privacy.FhirTreeReader.Parse(json));

        Assert.Equal("p12", item.PatientId);
        Assert.Equal(["http://hl7.org/fhir/sid/cvx|140"], item.Codes);
        Assert.Equal(new DateTimeOffset(2016, 4, 10, 8, 0, 0, TimeSpan.Zero), item.Date);
        Assert.Empty(item.SecurityLabels);
    }
}
