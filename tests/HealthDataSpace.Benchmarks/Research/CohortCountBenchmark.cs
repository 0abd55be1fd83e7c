using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;

namespace HealthDataSpace.Benchmarks.Research;

/// <summary>
/// <c>cohorts</c> (issue 6): cohort counts with 3–5 criteria over a synthetic population (default 1,000,000 patients,
/// 45 facts each — conditions, observations with values, medications — and for two in three a month of telemetry day
/// aggregates: heart rate, for half of them steps too), in
/// an opt-out region where 5 % of patients objected. Reports p50/p95 latency of warm counts (the permit's consenting
/// population cached) and the time of the first count of a permit (the population computed: one consent decision per
/// patient and resource type), plus the index's memory.
/// </summary>
internal static class CohortCountBenchmark
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static Command CreateCommand()
    {
        var patients = new Option<int>("--patients") { Description = "Synthetic patients.", DefaultValueFactory = _ => 1_000_000 };
        var rounds = new Option<int>("--rounds") { Description = "Times each query runs warm.", DefaultValueFactory = _ => 5 };
        var command = new Command("cohorts", "Cohort count latency over a synthetic population (issue 6).") { patients, rounds };
        command.SetAction(result => Run(result.GetValue(patients), result.GetValue(rounds)));
        return command;
    }

    private static int Run(int patientCount, int rounds)
    {
        foreach (var line in MachineFacts.Capture().Describe())
        {
            Console.WriteLine(line);
        }

        var clock = Stopwatch.StartNew();
        using var index = new ResearchIndex();
        var (facts, telemetryDays) = SyntheticPopulation.Fill(index, patientCount, Now, seed: 7);
        var loadSeconds = clock.Elapsed.TotalSeconds;
        GC.Collect();
        var heapBytes = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"population: {patientCount:N0} patients, {facts:N0} facts and {telemetryDays:N0} telemetry day aggregates ({facts + telemetryDays:N0} in all), " +
            $"generated and indexed in {loadSeconds:F1} s; managed heap {heapBytes / 1048576.0:N0} MiB, of which telemetry days " +
            $"{index.Read(view => view.Telemetry.Bytes) / 1048576.0:N0} MiB"));

        var consents = new ConsentIndex(new ConsentDefaults(new Dictionary<string, ConsentDefault> { ["HRESCH"] = ConsentDefault.OptOut }), new Fixed(Now));
        for (var p = 0; p < patientCount; p += 20)
        {
            consents.Upsert($"optout-{p}", 1, ConsentDirectives.OptOut($"Patient/p{p}", "HRESCH", Now.AddDays(-10)));
        }

        var service = new CohortService(index, consents, new Fixed(Now), minCellCount: 10);
        var permit = new DataPermit("bench", "bench", "Benchmark", "Organization/uni", ["r"], "HRESCH",
            ["Patient", "Condition", "Observation", "MedicationRequest", "MedicationStatement"], Now.AddYears(-1), Now.AddYears(1),
            [PermitOutputs.Aggregate], null, DataPermit.DefaultPolicy, Now, "s");
        var queries = SyntheticPopulation.Queries().Select(q => JsonDocument.Parse(q).RootElement).ToList();

        clock.Restart();
        var first = service.Count(permit, queries[0], ["ageBand", "gender"]);
        var coldSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first count of the permit (consenting population computed): {coldSeconds * 1000:N0} ms; count {first.Count?.ToString(CultureInfo.InvariantCulture) ?? "suppressed"}"));

        var samples = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var query in queries)
            {
                clock.Restart();
                var result = service.Count(permit, query, round % 2 == 0 ? ["ageBand", "gender"] : null);
                samples.Add(clock.Elapsed.TotalMilliseconds);
                if (round == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {samples[^1],8:N1} ms  count {result.Count?.ToString("N0", CultureInfo.InvariantCulture) ?? "suppressed"}"));
                }
            }
        }

        var latency = LatencySummary.Of(samples);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cohorts: {latency.Count} warm counts with 3-5 criteria: p50 {latency.P50:N0} ms, p95 {latency.P95:N0} ms, max {latency.Max:N0} ms; " +
            $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB"));
        return 0;
    }

    private sealed class Fixed(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
