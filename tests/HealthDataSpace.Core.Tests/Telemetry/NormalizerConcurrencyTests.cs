using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>One normaliser serves every ingest thread: parallel calls give what sequential calls give.</summary>
public class NormalizerConcurrencyTests
{
    [Fact]
    public async Task Normalize_ManyThreads_SameResultsAsOneThread()
    {
        var normalizer = Defaults.CreateNormalizer();
        var messages = new[]
        {
            Read(Shimmer("fitbit", "fitbit-activities-heart-1d-1m-intraday.json")),
            Read(Shimmer("ihealth", "ihealth-bp.json")),
            Read(Path.Combine(OpenMHealthRoot, "body-temperature/2.0/shouldPass/valid-temperature.json")),
            """{"heartRate": 72, "endDate": "2026-01-15T11:00:00Z"}""",
            """{"oxygenSaturation": 150, "endDate": "2026-01-15T11:00:00Z"}""",
        }.Select(json => Json("dev-1", json)).ToArray();
        var expected = messages.Select(m => Describe(normalizer.Normalize(m, Now))).ToArray();

        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var round = 0; round < 50; round++)
            {
                for (var i = 0; i < messages.Length; i++)
                {
                    Assert.Equal(expected[i], Describe(normalizer.Normalize(messages[i], Now)));
                }
            }
        }));
        await Task.WhenAll(tasks);
        Assert.Contains(expected, e => e.StartsWith("rejected", StringComparison.Ordinal));
    }

    private static string Describe(Core.Telemetry.NormalizationResult result) => result.IsRejected
        ? $"rejected {result.Rejection}"
        : string.Join(";", result.Readings.Select(r => $"{r.Type}@{r.OccurrenceTime:O}=" + string.Join(",", r.Values.Select(v => $"{v.Name}:{v.Value}"))));
}
