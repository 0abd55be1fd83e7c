using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthDataSpace.Benchmarks.Fhir;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research.Datasets.Tables;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Benchmarks.Research;

/// <summary>
/// <c>dataset-tables</c> (issue 6): every Synthea resource, as the store holds it and pseudonymised once before any
/// clock starts, through <see cref="DatasetTableSet"/> (AddResourceAsync for each, then CompleteAsync; outputs are
/// forward-only streams that count bytes, so the figure is the writer's CPU, not a disk). Its same-run baseline is
/// what the export does to the same resources anyway: <c>AnonymizationEngine.Anonymize</c> of each one, on one thread
/// like the table set. The ratio says what share of the export's per-resource cost the tables add.
/// </summary>
internal static class DatasetTablesBenchmark
{
    public static Command CreateCommand()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each runs both passes (round 1 cold, the rest warm).", DefaultValueFactory = _ => 6 };
        var rowGroup = new Option<int>("--row-group-size") { Description = "Rows per row group.", DefaultValueFactory = _ => DatasetTableSet.DefaultRowGroupSize };
        var data = new Option<string?>("--data") { Description = "The shared data folder holding synthea/. Default: ../shared/data next to the repository root." };
        var command = new Command("dataset-tables", "Parquet dataset tables vs the anonymization of the same resources (issue 6).") { rounds, rowGroup, data };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(rounds), result.GetValue(rowGroup), result.GetValue(data), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rounds, int rowGroupSize, string? dataFolder, CancellationToken cancellationToken)
    {
        if (rounds < 2 || rowGroupSize < 1)
        {
            await Console.Error.WriteLineAsync("--rounds must be at least 2 (one cold, one warm) and --row-group-size at least 1.");
            return 2;
        }

        foreach (var line in MachineFacts.Capture().Describe())
        {
            Console.WriteLine(line);
        }

        var corpus = IngestCorpus.Load(dataFolder ?? RepositoryPaths.SharedData);
        var engine = AnonymizationEngine.Create(AnonymizationPolicy.DefaultResearch, PseudonymDomain.ForProject(PseudonymDomain.GenerateMasterKey(), "benchmark"));
        var stored = corpus.Bundles.SelectMany(b => SyntheaStoredResources.FromBundle(b.Bytes))
            .Select(r => Encoding.UTF8.GetBytes(r.Resource.ToJsonString())).ToList();
        var pseudonymised = stored.Select(r => engine.Anonymize(r)).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- corpus: {pseudonymised.Count:N0} resources ({pseudonymised.Sum(r => (long)r.Length) / 1048576.0:F1} MiB pseudonymised JSON) from `{corpus.SyntheaFolder}`; row groups of {rowGroupSize:N0}"));
        Console.WriteLine("- command: `dotnet run -c Release --project tests/HealthDataSpace.Benchmarks -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) + "`");
        Console.WriteLine();
        Console.WriteLine("| round | tables s | tables resources/s | table rows/s | anonymize s | anonymize resources/s | tables / anonymize (CPU) | Parquet bytes |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        var ratios = new List<double>();
        var rates = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var anonymize = await MeasureAsync(() =>
            {
                foreach (var resource in stored)
                {
                    engine.Anonymize(resource);
                }

                return Task.FromResult((0L, 0L));
            });
            var tables = await MeasureAsync(() => WriteTablesAsync(pseudonymised, rowGroupSize, cancellationToken));
            var (rows, bytes) = tables.Result;
            var ratio = tables.Cpu / anonymize.Cpu;
            if (round > 1)
            {
                ratios.Add(ratio);
                rates.Add(pseudonymised.Count / tables.Wall.TotalSeconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {round}{(round == 1 ? " (cold)" : string.Empty)} | {tables.Wall.TotalSeconds:F3} | {pseudonymised.Count / tables.Wall.TotalSeconds:F0} | {rows / tables.Wall.TotalSeconds:F0} | {anonymize.Wall.TotalSeconds:F3} | {stored.Count / anonymize.Wall.TotalSeconds:F0} | {ratio:F3} | {bytes:N0} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Median of {ratios.Count} warm rounds: tables **{Median(rates):F0} resources/s** on one thread; tables cost / anonymization cost **{Median(ratios):F3}** (CPU time)."));
        return 0;
    }

    private static async Task<(long Rows, long Bytes)> WriteTablesAsync(List<byte[]> resources, int rowGroupSize, CancellationToken cancellationToken)
    {
        var outputs = new List<ForwardOnlyStream>();
        IReadOnlyList<DatasetTableInfo> tables;
        await using (var set = new DatasetTableSet((_, _) =>
        {
            var stream = new ForwardOnlyStream(Stream.Null);
            outputs.Add(stream);
            return Task.FromResult<Stream>(stream);
        }, rowGroupSize))
        {
            foreach (var resource in resources)
            {
                await set.AddResourceAsync(resource, cancellationToken);
            }

            tables = await set.CompleteAsync(cancellationToken);
        }

        var bytes = outputs.Sum(o => o.Written);
        foreach (var output in outputs)
        {
            await output.DisposeAsync();
        }

        return (tables.Sum(t => t.Rows), bytes);
    }

    /// <summary>Runs a pass to completion and measures its wall and process CPU time (GC included).</summary>
    private static async Task<Pass<T>> MeasureAsync<T>(Func<Task<T>> pass)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await pass();
        wall.Stop();
        process.Refresh();
        return new Pass<T>(wall.Elapsed, process.TotalProcessorTime - cpu, result);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Pass<T>(TimeSpan Wall, TimeSpan Cpu, T Result);
}
