using System.Text.Json;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;

namespace HealthDataSpace.Core.Tests.Research;

/// <summary>
/// The telemetry day aggregates and the telemetry criterion over them: one aggregate per (patient, type, UTC day),
/// late readings merged into their day, the window as the UTC days overlapping [now - window, now], avg as total sum
/// over total count, exact min/max, no match without readings in the window, consent as Observation data.
/// </summary>
public sealed class TelemetryDaysTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    private static TelemetryType Type(string name) => TelemetryTypes.All.Single(t => t.Name == name);

    private static ResearchIndex IndexWith(params string[] patients)
    {
        var index = new ResearchIndex();
        foreach (var id in patients)
        {
            index.Apply("Patient", id, 1, $$"""{"resourceType":"Patient","id":"{{id}}","gender":"female","birthDate":"1970-01-01"}""");
        }

        return index;
    }

    private static void Add(ResearchIndex index, string patient, string type, string time, params double[] values) =>
        index.AddTelemetry([.. values.Select(v => TelemetryDayDelta.Of(patient, Type(type), DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), v))]);

    private static int Count(ResearchIndex index, string type, string aggregate, string bound, string window) =>
        index.Read(view => CohortEvaluator.Evaluate(view, CohortCriteriaParser.Parse(JsonDocument.Parse(
            $$$"""{"telemetry":{"type":"{{{type}}}","aggregate":"{{{aggregate}}}",{{{bound}}},"window":"{{{window}}}"}}""").RootElement), Now).Count());

    [Fact]
    public void DaysOf_ReadingsOfOneDay_OneAggregateWithCountMinMaxMeanUnit()
    {
        using var index = IndexWith("a");
        Add(index, "a", "heart-rate", "2026-06-09T00:00:00Z", 70, 90);
        Add(index, "a", "heart-rate", "2026-06-09T23:59:59.999Z", 50);

        var day = Assert.Single(index.DaysOf("a"));

        Assert.Equal(new TelemetryDay("heart-rate", "8867-4", new DateOnly(2026, 6, 9), 3, 50, 90, 70, "/min"), day);
    }

    [Fact]
    public void DaysOf_LateReadingsForOlderDays_MergedIntoTheirDay_ByTypeThenDay()
    {
        using var index = IndexWith("a");
        Add(index, "a", "spo2", "2026-06-07T10:00:00Z", 97);
        Add(index, "a", "heart-rate", "2026-06-05T10:00:00Z", 60);
        Add(index, "a", "heart-rate", "2026-06-07T10:00:00Z", 80);
        Add(index, "a", "heart-rate", "2026-06-06T10:00:00Z", 70);
        Add(index, "a", "heart-rate", "2026-06-05T11:00:00Z", 64);
        Add(index, "a", "heart-rate", "2026-06-07T11:00:00Z", 82);
        Add(index, "a", "heart-rate", "2026-06-01T11:00:00Z", 55);

        var days = index.DaysOf("a");

        Assert.Equal(
            [("heart-rate", "2026-06-01", 1, 55.0), ("heart-rate", "2026-06-05", 2, 62.0), ("heart-rate", "2026-06-06", 1, 70.0),
             ("heart-rate", "2026-06-07", 2, 81.0), ("spo2", "2026-06-07", 1, 97.0)],
            days.Select(d => (d.Type, d.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), d.Count, d.Mean)));
        Assert.Empty(index.DaysOf("nobody"));
    }

    [Theory]
    // now 2026-06-10T12:00Z, window P7D: from 2026-06-03T12:00Z, so every day from 06-03 to 06-10 counts whole.
    [InlineData("2026-06-03T00:00:00Z", "P7D", 1)]
    [InlineData("2026-06-02T23:59:59.999Z", "P7D", 0)]
    [InlineData("2026-06-10T23:59:59Z", "P7D", 1)]
    [InlineData("2026-06-11T00:00:00Z", "P7D", 0)]
    [InlineData("2026-06-10T00:00:00Z", "PT1H", 1)]
    [InlineData("2026-06-09T23:00:00Z", "PT1H", 0)]
    [InlineData("2026-06-09T23:00:00Z", "PT12H", 0)]
    [InlineData("2026-06-09T23:00:00Z", "PT12H0.001S", 1)]
    public void Evaluate_Window_DaysOverlappingIt(string readingTime, string window, int expected)
    {
        using var index = IndexWith("a");
        Add(index, "a", "heart-rate", readingTime, 70);

        Assert.Equal(expected, Count(index, "heart-rate", "max", "\"ge\":0", window));
    }

    [Theory]
    // Day one: ten readings of 60; day two: one of 120. Total mean 720 / 11 = 65.45; the mean of the daily means would be 90.
    [InlineData("avg", "\"lt\":65.5", 1)]
    [InlineData("avg", "\"gt\":65.4", 1)]
    [InlineData("avg", "\"gt\":80", 0)]
    [InlineData("max", "\"ge\":120", 1)]
    [InlineData("max", "\"gt\":120", 0)]
    [InlineData("min", "\"le\":60", 1)]
    [InlineData("min", "\"lt\":60", 0)]
    public void Evaluate_Aggregates_OverEveryReadingInTheWindow(string aggregate, string bound, int expected)
    {
        using var index = IndexWith("a");
        Add(index, "a", "heart-rate", "2026-06-08T08:00:00Z", [.. Enumerable.Repeat(60.0, 10)]);
        Add(index, "a", "heart-rate", "2026-06-09T08:00:00Z", 120);
        Add(index, "a", "heart-rate", "2026-05-01T08:00:00Z", 200, 10);

        Assert.Equal(expected, Count(index, "heart-rate", aggregate, bound, "P30D"));
    }

    [Theory]
    [InlineData("max", "\"gt\":36.6", 0)]
    [InlineData("max", "\"ge\":36.6", 1)]
    [InlineData("min", "\"lt\":36.6", 0)]
    [InlineData("avg", "\"le\":36.6", 1)]
    public void Evaluate_DecimalValues_ComparedExactly(string aggregate, string bound, int expected)
    {
        using var index = IndexWith("a");
        Add(index, "a", "body-temperature", "2026-06-09T08:00:00Z", 36.6, 36.6);

        Assert.Equal(expected, Count(index, "body-temperature", aggregate, bound, "P1D"));
    }

    [Fact]
    public void Evaluate_NoReadingInWindowOrOfAnotherType_NoMatch_EvenForAnOpenBound()
    {
        using var index = IndexWith("a", "b", "c");
        Add(index, "a", "heart-rate", "2026-04-01T08:00:00Z", 70);
        Add(index, "b", "spo2", "2026-06-09T08:00:00Z", 97);
        Add(index, "c", "heart-rate", "2026-06-09T08:00:00Z", 70);

        Assert.Equal(1, Count(index, "heart-rate", "min", "\"lt\":1000", "P30D"));
        Assert.Equal(1, Count(index, "heart-rate", "avg", "\"lt\":1000", "P30D"));
        Assert.Equal(1, Count(index, "spo2", "max", "\"gt\":-1", "P30D"));
        Assert.Equal(3, index.Read(view => CohortEvaluator.Evaluate(view, CohortCriteriaParser.Parse(JsonDocument.Parse(
            """{"not":{"telemetry":{"type":"steps","aggregate":"max","ge":0,"window":"P30D"}}}""").RootElement), Now).Count()));
    }

    [Fact]
    public void Evaluate_PatientNotIndexedOrDeleted_NotCounted()
    {
        using var index = IndexWith("a", "b");
        Add(index, "a", "heart-rate", "2026-06-09T08:00:00Z", 70);
        Add(index, "b", "heart-rate", "2026-06-09T08:00:00Z", 70);
        Add(index, "ghost", "heart-rate", "2026-06-09T08:00:00Z", 70);
        index.Apply("Patient", "b", 2, json: null);

        Assert.Equal(1, Count(index, "heart-rate", "avg", "\"gt\":0", "P7D"));
    }

    [Fact]
    public void Count_TelemetryIsObservationData_ForConsentAndPermits()
    {
        using var index = IndexWith("a", "b");
        Add(index, "a", "heart-rate", "2026-06-09T08:00:00Z", 95);
        Add(index, "b", "heart-rate", "2026-06-09T08:00:00Z", 99);
        var consents = new ConsentIndex(new ConsentDefaults(new Dictionary<string, ConsentDefault> { ["HRESCH"] = ConsentDefault.OptOut }), new FixedTime(Now));
        var service = new CohortService(index, consents, new FixedTime(Now), minCellCount: 1);
        DataPermit Permit(params string[] types) => new("p-" + types.Length, "proj", "t", "Organization/o", ["r"], "HRESCH", types,
            Now.AddYears(-1), Now.AddYears(1), [PermitOutputs.Aggregate], null, DataPermit.DefaultPolicy, Now, "s");
        var fast = JsonDocument.Parse("""{"telemetry":{"type":"heart-rate","aggregate":"avg","gt":90,"window":"P7D"}}""").RootElement;

        var before = service.Count(Permit("Patient", "Observation"), fast, null);
        consents.Upsert("o1", 1, ConsentDirectives.OptOut("Patient/a", "HRESCH", Now.AddDays(-1)));
        var after = service.Count(Permit("Patient", "Observation"), fast, null);
        var uncovered = Assert.Throws<FhirException>(() => service.Count(Permit("Patient", "Condition", "MedicationRequest"), fast, null));

        Assert.Equal(2, before.Count);
        Assert.Equal(1, after.Count);
        Assert.Equal(403, uncovered.Status);
        Assert.Contains("Observation", uncovered.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluate_ManyPatientsAcrossChunks_SameAsBruteForce(bool chronological)
    {
        // 120,000 readings on 4,000 patients over 60 days: more aggregates than one chunk holds. Chronological insertion
        // gives chunks with disjoint days (the window skips whole chunks); shuffled insertion gives chains out of order.
        // Quarter values keep every sum exact, so the brute force and the index agree to the last bit.
        var random = new Random(chronological ? 3 : 4);
        var readings = Enumerable.Range(0, 120_000)
            .Select(_ => (Patient: random.Next(4000), Time: Now.AddMinutes(-random.Next(60 * 24 * 60)), Value: 40 + (random.Next(400) * 0.25)))
            .ToList();
        readings = chronological ? [.. readings.OrderBy(r => r.Time)] : readings;
        using var index = IndexWith([.. Enumerable.Range(0, 4000).Select(p => "p" + p)]);
        foreach (var batch in readings.Chunk(5000))
        {
            index.AddTelemetry([.. batch.Select(r => TelemetryDayDelta.Of("p" + r.Patient, Type("steps"), r.Time, r.Value))]);
        }

        foreach (var (days, aggregate, bound, test) in new (int, string, string, Func<double[], bool>)[]
        {
            (3, "avg", "\"gt\":95", v => v.Sum() / v.Length > 95),
            (10, "max", "\"ge\":135", v => v.Max() >= 135),
            (45, "min", "\"lt\":42.5", v => v.Min() < 42.5),
        })
        {
            var from = DateOnly.FromDateTime(Now.AddDays(-days).UtcDateTime);
            var expected = readings.Where(r => DateOnly.FromDateTime(r.Time.UtcDateTime) >= from)
                .GroupBy(r => r.Patient).Count(g => test([.. g.Select(r => r.Value)]));

            Assert.Equal(expected, Count(index, "steps", aggregate, bound, $"P{days}D"));
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
