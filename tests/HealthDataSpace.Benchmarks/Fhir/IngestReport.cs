using System.Globalization;
using System.Text;
using HealthDataSpace.Benchmarks.Infrastructure;

namespace HealthDataSpace.Benchmarks.Fhir;

/// <summary>The ingest benchmark's Markdown report: machine facts, one row per round and pass, medians, per-bundle detail.</summary>
internal static class IngestReport
{
    public const double TargetResourcesPerSecond = 1_000;

    public static string Render(MachineFacts machine, IngestCorpus corpus, IReadOnlyList<IngestRound> rounds, string command)
    {
        var md = new StringBuilder();
        Line(md, $"### FHIR ingest: results");
        Blank(md);
        foreach (var fact in machine.Describe())
        {
            md.Append(fact).Append('\n');
        }

        Line(md, $"- gateway: `HealthDataSpace.Gateway.dll` ({GatewayProcess.BuildConfiguration} build) as its own process, one process for all rounds, embedded SQLite store in a fresh temp folder, one sequential HTTP/1.1 client on loopback; round 1 is cold (server JIT), later rounds are warm, each as a new hospital client into a store that grows by the corpus each round");
        var batches = corpus.Bundles.Count(b => b.BundleType == "batch");
        Line(md, $"- corpus: {corpus.Bundles.Count} bundles ({batches} batch, {corpus.Bundles.Count - batches} transaction), {corpus.TotalEntries:N0} resources, {corpus.TotalBytes / 1_048_576.0:F1} MiB, from `{corpus.SyntheaFolder}`");
        Line(md, $"- command: `{command}`");
        Blank(md);

        Line(md, $"| round | pass | resources | wall s | resources/s | p50 ms | p95 ms | p99 ms | max ms | p99 ms/resource | gateway start s | load avg after |");
        Line(md, $"|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var round in rounds)
        {
            PassRow(md, round.Number.ToString(CultureInfo.InvariantCulture), "gateway", round.Gateway,
                round.GatewayStartup.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture), round.LoadAverageAfter);
            PassRow(md, round.Number.ToString(CultureInfo.InvariantCulture), "baseline", round.Baseline, "", "");
        }

        Blank(md);
        var cold = rounds[0];
        var warmRounds = rounds.Count > 1 ? rounds.Skip(1).ToList() : [.. rounds];
        var gateway = warmRounds.Select(r => r.Gateway.ResourcesPerSecond).ToList();
        var baseline = warmRounds.Select(r => r.Baseline.ResourcesPerSecond).ToList();
        var ratio = Median(gateway) / Median(baseline);
        Line(md, $"Cold first round: gateway {cold.Gateway.ResourcesPerSecond:F0} resources/s, baseline {cold.Baseline.ResourcesPerSecond:F0} resources/s.");
        Blank(md);
        Line(md, $"| median of {warmRounds.Count} warm round(s) | resources/s | range (min–max) | p99 ms/bundle | p99 ms/resource |");
        Line(md, $"|---|---:|---:|---:|---:|");
        Line(md, $"| gateway | {Median(gateway):F0} | {gateway.Min():F0}–{gateway.Max():F0} | {Median(warmRounds.Select(r => r.Gateway.Latency.P99)):F1} | {Median(warmRounds.Select(r => r.Gateway.LatencyPerResource.P99)):F3} |");
        Line(md, $"| baseline (Firely parse + serialise) | {Median(baseline):F0} | {baseline.Min():F0}–{baseline.Max():F0} | {Median(warmRounds.Select(r => r.Baseline.Latency.P99)):F1} | {Median(warmRounds.Select(r => r.Baseline.LatencyPerResource.P99)):F3} |");
        Blank(md);
        Line(md, $"Gateway / baseline throughput: **{ratio:F2}** (the baseline is {1 / ratio:F1}× faster).");
        var met = Median(gateway) >= TargetResourcesPerSecond;
        Line(md, $"Target ≥ {TargetResourcesPerSecond:N0} resources/s through the gateway (warm): **{(met ? "met" : "not met")}** (median {Median(gateway):F0}, slowest warm round {gateway.Min():F0}, fastest {gateway.Max():F0}).");
        Blank(md);

        var typical = warmRounds.OrderBy(r => r.Gateway.ResourcesPerSecond).ElementAt((warmRounds.Count - 1) / 2);
        Line(md, $"Per bundle, round {typical.Number} (the median warm gateway round), in the order sent:");
        Blank(md);
        Line(md, $"| # | bundle | type | resources | gateway ms | gateway ms/resource | baseline ms | baseline ms/resource |");
        Line(md, $"|---:|---|---|---:|---:|---:|---:|---:|");
        for (var i = 0; i < corpus.Bundles.Count; i++)
        {
            var g = typical.Gateway.Bundles[i];
            var b = typical.Baseline.Bundles[i];
            Line(md, $"| {i + 1} | {ShortName(g.Name)} | {corpus.Bundles[i].BundleType} | {g.Resources} | {g.Milliseconds:F1} | {g.MillisecondsPerResource:F3} | {b.Milliseconds:F1} | {b.MillisecondsPerResource:F3} |");
        }

        return md.ToString();
    }

    private static void PassRow(StringBuilder md, string round, string pass, IngestPassResult result, string startup, string load)
    {
        var l = result.Latency;
        Line(md, $"| {round} | {pass} | {result.Resources:N0} | {result.Wall.TotalSeconds:F2} | {result.ResourcesPerSecond:F0} | {l.P50:F1} | {l.P95:F1} | {l.P99:F1} | {l.Max:F1} | {result.LatencyPerResource.P99:F3} | {startup} | {load} |");
    }

    /// <summary>Synthea file names end in a patient GUID; the first part is enough to tell bundles apart.</summary>
    private static string ShortName(string name)
    {
        var file = Path.GetFileNameWithoutExtension(name);
        var folder = Path.GetDirectoryName(name);
        var cut = file.LastIndexOf('_');
        var shortFile = cut > 0 && file.Length - cut > 30 ? file[..cut] : file;
        return string.IsNullOrEmpty(folder) ? shortFile : $"{folder}/{shortFile}";
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static void Line(StringBuilder md, FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Blank(StringBuilder md) => md.Append('\n');
}
