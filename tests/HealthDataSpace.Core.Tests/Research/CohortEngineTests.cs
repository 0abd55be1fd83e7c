using System.Text.Json;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;

namespace HealthDataSpace.Core.Tests.Research;

public sealed class CohortEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static string Patient(string id, string gender, string birth) =>
        $$"""{"resourceType":"Patient","id":"{{id}}","gender":"{{gender}}","birthDate":"{{birth}}"}""";

    private static string Condition(string patient, string code, string onset) =>
        $$"""{"resourceType":"Condition","subject":{"reference":"Patient/{{patient}}"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"{{code}}"}]},"onsetDateTime":"{{onset}}"}""";

    private static string Heart(string patient, double bpm, string when) =>
        """{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/PATIENT"},"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"effectiveDateTime":"WHEN","valueQuantity":{"value":BPM,"unit":"/min"}}"""
            .Replace("PATIENT", patient, StringComparison.Ordinal).Replace("WHEN", when, StringComparison.Ordinal)
            .Replace("BPM", bpm.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static ResearchIndex Index()
    {
        var index = new ResearchIndex();
        index.Apply("Patient", "a", 1, Patient("a", "female", "1950-07-01"));
        index.Apply("Patient", "b", 1, Patient("b", "male", "1990-01-01"));
        index.Apply("Patient", "c", 1, Patient("c", "female", "2010-06-01"));
        index.Apply("Condition", "c1", 1, Condition("a", "44054006", "2015-03-01"));
        index.Apply("Condition", "c2", 1, Condition("b", "44054006", "2024-03-01"));
        index.Apply("Observation", "o1", 1, Heart("a", 110, "2026-05-20T10:00:00Z"));
        index.Apply("Observation", "o2", 1, Heart("a", 70, "2026-05-21T10:00:00Z"));
        index.Apply("Observation", "o3", 1, Heart("b", 60, "2026-05-21T10:00:00Z"));
        index.Apply("Observation", "o4", 1, Heart("c", 150, "2025-01-01T10:00:00Z"));
        return index;
    }

    private static int Count(ResearchIndex index, string criteria) =>
        index.Read(view => CohortEvaluator.Evaluate(view, CohortCriteriaParser.Parse(JsonDocument.Parse(criteria).RootElement), Now).Count());

    [Theory]
    [InlineData("""{"condition":{"code":"http://snomed.info/sct|44054006"}}""", 2)]
    [InlineData("""{"condition":{"code":"44054006"}}""", 2)]
    [InlineData("""{"observation":{"code":"http://snomed.info/sct|44054006"}}""", 0)]
    [InlineData("""{"medication":{"code":"http://loinc.org|8867-4"}}""", 0)]
    [InlineData("""{"condition":{"code":"http://snomed.info/sct|44054006","onset":{"ge":"2020-01-01"}}}""", 1)]
    [InlineData("""{"observation":{"code":"http://loinc.org|8867-4","value":{"gt":100}}}""", 2)]
    [InlineData("""{"observation":{"code":"http://loinc.org|8867-4","value":{"gt":100},"date":{"ge":"2026-01-01"}}}""", 1)]
    [InlineData("""{"age":{"ge":18,"lt":65}}""", 1)]
    [InlineData("""{"age":{"ge":75}}""", 1)]
    [InlineData("""{"gender":"female"}""", 2)]
    [InlineData("""{"not":{"gender":"female"}}""", 1)]
    [InlineData("""{"all":[{"gender":"female"},{"condition":{"code":"44054006"}}]}""", 1)]
    [InlineData("""{"any":[{"age":{"lt":18}},{"condition":{"code":"44054006"}}]}""", 3)]
    // Telemetry criteria read the telemetry day aggregates only, not heart-rate Observations (TelemetryDaysTests).
    [InlineData("""{"telemetry":{"type":"heart-rate","aggregate":"max","gt":0,"window":"P730D"}}""", 0)]
    public void Evaluate_Criteria_CountsMatchingPatients(string criteria, int expected)
    {
        using var index = Index();

        Assert.Equal(expected, Count(index, criteria));
    }

    [Fact]
    public void Apply_NewVersionReplacesFacts_DeletionRemovesThem_OlderVersionIgnored()
    {
        using var index = Index();
        const string diabetes = """{"condition":{"code":"44054006"}}""";

        index.Apply("Condition", "c2", 2, Condition("b", "38341003", "2024-03-01"));
        var afterUpdate = Count(index, diabetes);
        index.Apply("Condition", "c2", 1, Condition("b", "44054006", "2024-03-01"));
        var afterStale = Count(index, diabetes);
        index.Apply("Condition", "c1", 2, json: null);
        var afterDelete = Count(index, diabetes);
        index.Apply("Patient", "a", 2, json: null);

        Assert.Equal(1, afterUpdate);
        Assert.Equal(1, afterStale);
        Assert.Equal(0, afterDelete);
        Assert.Equal(2, Count(index, """{"any":[{"gender":"female"},{"gender":"male"}]}"""));
    }

    [Theory]
    [InlineData("""{"condition":{"code":"x"},"age":{"ge":1}}""", "$")]
    [InlineData("""{"condition":{"cod":"x"}}""", "$.condition.cod")]
    [InlineData("""{"all":[]}""", "$.all")]
    [InlineData("""{"any":[{"gender":"femme"}]}""", "$.any[0].gender")]
    [InlineData("""{"observation":{"code":"x","value":{"gt":"high"}}}""", "$.observation.value.gt")]
    [InlineData("""{"condition":{"code":"x","onset":{"ge":"last year"}}}""", "$.condition.onset.ge")]
    [InlineData("""{"telemetry":{"type":"heart-rate","aggregate":"avg","gt":1,"window":"30 days"}}""", "$.telemetry.window")]
    [InlineData("""{"telemetry":{"type":"glucose","aggregate":"avg","gt":1,"window":"P1D"}}""", "$.telemetry.type")]
    [InlineData("""{"age":{}}""", "$.age")]
    [InlineData("""{"smoker":true}""", "$.smoker")]
    [InlineData("""{"observation":{"code":"x","value":{"gt":1e400}}}""", "$.observation.value.gt")]
    [InlineData("""{"telemetry":{"type":"heart-rate","aggregate":"avg","gt":1,"window":"P99999999D"}}""", "$.telemetry.window")]
    public void Parse_Invalid_400NamingThePath(string criteria, string path)
    {
        var error = Assert.Throws<FhirException>(() => CohortCriteriaParser.Parse(JsonDocument.Parse(criteria).RootElement));

        Assert.Equal(400, error.Status);
        Assert.Contains($"at {path}:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 15, 20 }, new[] { false, false })]
    [InlineData(new[] { 12, 3, 20 }, new[] { true, true, false })]
    [InlineData(new[] { 5, 6, 30 }, new[] { true, true, false })]
    [InlineData(new[] { 0, 4, 50 }, new[] { false, true, true })]
    [InlineData(new[] { 2, 2, 2, 40 }, new[] { true, true, true, true })]
    [InlineData(new[] { 0, 0, 40 }, new[] { false, false, false })]
    public void Strata_ComplementarySuppression(int[] counts, bool[] expected)
    {
        Assert.Equal(expected, SmallCellSuppression.Strata(counts, 10));
    }

    [Fact]
    public void Count_OnlyConsentingPatients_ConsentChangeInvalidatesCache()
    {
        using var index = Index();
        var consents = new ConsentIndex(new ConsentDefaults(new Dictionary<string, ConsentDefault> { ["HRESCH"] = ConsentDefault.OptOut }), new FixedTime(Now));
        var service = new CohortService(index, consents, new FixedTime(Now), minCellCount: 1);
        var permit = new DataPermit("p", "proj", "t", "Organization/o", ["r"], "HRESCH", ["Patient", "Condition"], Now.AddYears(-1), Now.AddYears(1),
            [PermitOutputs.Aggregate], null, DataPermit.DefaultPolicy, Now, "s");
        var diabetes = JsonDocument.Parse("""{"condition":{"code":"44054006"}}""").RootElement;

        var before = service.Count(permit, diabetes, null);
        consents.Upsert("o1", 1, ConsentDirectives.OptOut("Patient/a", "HRESCH", Now.AddDays(-1)));
        var after = service.Count(permit, diabetes, null);
        var observations = Assert.Throws<FhirException>(() => service.Count(permit, JsonDocument.Parse("""{"observation":{"code":"8867-4"}}""").RootElement, null));

        Assert.Equal(2, before.Count);
        Assert.Equal(1, after.Count);
        Assert.Equal(403, observations.Status);
    }
}
