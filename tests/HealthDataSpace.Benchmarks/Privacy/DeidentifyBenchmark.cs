using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthDataSpace.Benchmarks.Fhir;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Benchmarks.Privacy;

/// <summary>
/// <c>deidentify</c> (issue 5): every Synthea bundle through the anonymization engine with the shipped research
/// policy and a project, beside a same-run baseline that only parses and re-serialises the same bundles with Firely.
/// Both passes spread the files over the same number of workers. A Stopwatch harness: each pass is a whole corpus.
/// </summary>
internal static class DeidentifyBenchmark
{
    public static Command CreateCommand()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each runs both passes (round 1 cold, the rest warm).", DefaultValueFactory = _ => 8 };
        var workers = new Option<int>("--workers")
        {
            Description = "Files processed in parallel, the same for both passes. Default: the number of logical cores.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var data = new Option<string?>("--data") { Description = "The shared data folder holding synthea/. Default: ../shared/data next to the repository root." };
        var output = new Option<string?>("--out") { Description = "Also write the Markdown report to this file." };
        var command = new Command("deidentify", "Anonymization engine (default research policy) vs a Firely parse/serialise baseline (issue 5).")
        {
            rounds, workers, data, output,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(rounds), parseResult.GetValue(workers), parseResult.GetValue(data), parseResult.GetValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rounds, int workers, string? dataFolder, string? outFile, CancellationToken cancellationToken)
    {
        if (rounds < 2 || workers < 1)
        {
            await Console.Error.WriteLineAsync("--rounds must be at least 2 (one cold, one warm) and --workers at least 1.");
            return 2;
        }

        try
        {
            var machine = MachineFacts.Capture();
            var corpus = IngestCorpus.Load(dataFolder ?? RepositoryPaths.SharedData);
            var engine = AnonymizationEngine.Create(AnonymizationPolicy.DefaultResearch,
                PseudonymDomain.ForProject(PseudonymDomain.GenerateMasterKey(), "benchmark"));
            var results = new List<(int Round, Pass Baseline, Pass Engine)>();
            for (var round = 1; round <= rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Alternate which pass goes first, so neither always runs on a machine the other just warmed or heated.
                Pass baseline, anonymized;
                if (round % 2 == 1)
                {
                    baseline = Run(corpus, workers, BaselineOne);
                    anonymized = Run(corpus, workers, bytes => engine.Anonymize(bytes).Length);
                }
                else
                {
                    anonymized = Run(corpus, workers, bytes => engine.Anonymize(bytes).Length);
                    baseline = Run(corpus, workers, BaselineOne);
                }

                results.Add((round, baseline, anonymized));
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}/{rounds}: engine {corpus.TotalEntries / anonymized.Wall.TotalSeconds:F0} resources/s, baseline {corpus.TotalEntries / baseline.Wall.TotalSeconds:F0} resources/s"));
            }

            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var command = "dotnet run -c Release --project tests/HealthDataSpace.Benchmarks -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var report = Render(machine, corpus, workers, results, peak, command);
            await Console.Out.WriteAsync(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report, cancellationToken);
            }

            return 0;
        }
        catch (Exception e) when (e is BenchmarkFailedException or FhirParseException or AnonymizationProcessingException)
        {
            await Console.Error.WriteLineAsync($"deidentify benchmark failed, no figures reported: {e.Message}");
            return 1;
        }
    }

    private static int BaselineOne(byte[] bytes) => FhirJson.Serialize(FhirJson.ParseResource(bytes)).Length;

    private static Pass Run(IngestCorpus corpus, int workers, Func<byte[], int> work)
    {
        long written = 0;
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        Parallel.ForEach(corpus.Bundles, new ParallelOptions { MaxDegreeOfParallelism = workers }, bundle =>
            Interlocked.Add(ref written, work(bundle.Bytes)));
        wall.Stop();
        process.Refresh();
        return new Pass(wall.Elapsed, process.TotalProcessorTime - cpu, written, MachineFacts.LoadAverage());
    }

    private static string Render(MachineFacts machine, IngestCorpus corpus, int workers, List<(int Round, Pass Baseline, Pass Engine)> results, long peakBytes, string command)
    {
        var text = new StringBuilder();
        foreach (var line in machine.Describe())
        {
            text.AppendLine(line);
        }

        var largest = corpus.Bundles.Max(b => b.Bytes.Length);
        text.AppendLine(CultureInfo.InvariantCulture, $"- corpus: {corpus.Bundles.Count} bundles, {corpus.TotalEntries:N0} resources, {corpus.TotalBytes / 1048576.0:F1} MiB (largest file {largest / 1048576.0:F1} MiB), from `{corpus.SyntheaFolder}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- workers: {workers} files in parallel for both passes; engine: default research policy, project mode");
        text.AppendLine(CultureInfo.InvariantCulture, $"- command: `{command}`");
        text.AppendLine();
        text.AppendLine("| round | engine wall s | engine resources/s | engine CPU s | baseline wall s | baseline resources/s | baseline CPU s | engine / baseline (wall) | engine / baseline (CPU) | load avg after |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (round, baseline, engine) in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {round}{(round == 1 ? " (cold)" : string.Empty)} | {engine.Wall.TotalSeconds:F2} | {corpus.TotalEntries / engine.Wall.TotalSeconds:F0} | {engine.Cpu.TotalSeconds:F2} | {baseline.Wall.TotalSeconds:F2} | {corpus.TotalEntries / baseline.Wall.TotalSeconds:F0} | {baseline.Cpu.TotalSeconds:F2} | {engine.Wall / baseline.Wall:F2} | {engine.Cpu / baseline.Cpu:F2} | {baseline.LoadAfter} |");
        }

        var warm = results.Skip(1).ToList();
        var engineRate = Median(warm.Select(r => corpus.TotalEntries / r.Engine.Wall.TotalSeconds));
        var baselineRate = Median(warm.Select(r => corpus.TotalEntries / r.Baseline.Wall.TotalSeconds));
        var ratio = Median(warm.Select(r => r.Engine.Wall / r.Baseline.Wall));
        var cpuRatio = Median(warm.Select(r => r.Engine.Cpu / r.Baseline.Cpu));
        var enginePerCpu = Median(warm.Select(r => corpus.TotalEntries / r.Engine.Cpu.TotalSeconds));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Median of {warm.Count} warm rounds: engine **{engineRate:F0} resources/s** (wall), baseline {baselineRate:F0} resources/s; engine cost / baseline cost **{ratio:F2}** by wall time, **{cpuRatio:F2}** by CPU time (medians of per-round ratios).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Engine throughput per CPU-second: {enginePerCpu:F0} resources (what {workers} uncontended cores would multiply).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Process peak working set: **{peakBytes / 1048576.0:F0} MiB** (both passes, the corpus held in memory).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Targets: ≥ 20,000 resources/s: **{(engineRate >= 20000 ? "met" : "missed")}**; ≤ 2.5× the baseline cost: **{(ratio <= 2.5 ? "met" : "missed")}**.");
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Wall time, and the process's CPU time during the pass (GC included): on a shared machine the CPU figure is the steadier one.</summary>
    private sealed record Pass(TimeSpan Wall, TimeSpan Cpu, long BytesWritten, string LoadAfter);
}
