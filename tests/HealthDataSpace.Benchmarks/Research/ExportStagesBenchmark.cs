using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthDataSpace.Benchmarks.Fhir;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Core.Research.Datasets.Tables;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Benchmarks.Research;

/// <summary>
/// <c>export-stages</c> (issue 6): the CPU a dataset export spends per resource, stage by stage, on one thread, over
/// the Synthea resources of the export benchmark's types as the store holds them. Each stage runs over the whole corpus
/// with its input prepared before the clock starts, so a stage's figure is its own cost: the UTF-8 copy of the stored
/// JSON, the owner scan and the consent facts (<see cref="ExportItem"/>), the consent decision (opt-out region, no
/// consents), the anonymization engine with its parse, the Parquet rows and the NDJSON write with its SHA-256. The sum bounds what two cores can
/// deliver; the export benchmark says how close the gateway comes to it.
/// </summary>
internal static class ExportStagesBenchmark
{
    private static readonly ReadOnlyMemory<byte> Newline = "\n"u8.ToArray();

    private static readonly HashSet<string> Types = new(ExportBenchmark.PermitTypes, StringComparer.Ordinal);

    public static Command CreateCommand()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each runs every stage once (round 1 cold, the rest warm).", DefaultValueFactory = _ => 5 };
        var data = new Option<string?>("--data") { Description = "The shared data folder holding synthea/. Default: ../shared/data next to the repository root." };
        var command = new Command("export-stages", "CPU per resource of each dataset export stage, one thread (issue 6).") { rounds, data };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(rounds), result.GetValue(data), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rounds, string? dataFolder, CancellationToken cancellationToken)
    {
        if (rounds < 2)
        {
            await Console.Error.WriteLineAsync("--rounds must be at least 2 (one cold, one warm).");
            return 2;
        }

        foreach (var line in MachineFacts.Capture().Describe())
        {
            Console.WriteLine(line);
        }

        var corpus = IngestCorpus.Load(dataFolder ?? RepositoryPaths.SharedData);
        var stored = corpus.Bundles.SelectMany(b => SyntheaStoredResources.FromBundle(b.Bytes))
            .Where(r => Types.Contains(r.Type))
            .Select(r => (r.Type, Json: r.Resource.ToJsonString()))
            .ToList();
        var engine = AnonymizationEngine.Create(AnonymizationPolicy.DefaultResearch, PseudonymDomain.ForProject(PseudonymDomain.GenerateMasterKey(), "benchmark"));
        var utf8 = stored.Select(r => Encoding.UTF8.GetBytes(r.Json)).ToList();
        var trees = utf8.Select(r => FhirTreeReader.Parse(r)).ToList();
        var items = stored.Select((r, i) => ExportItem.Describe(ExportItem.PatientOf(r.Type, utf8[i]), trees[i])).ToList();
        var pseudonymised = utf8.Select(r => engine.Anonymize(r)).ToList();
        var consents = new ConsentIndex(new ConsentDefaults(new Dictionary<string, ConsentDefault> { ["HRESCH"] = ConsentDefault.OptOut }));
        var at = DateTimeOffset.UtcNow;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- corpus: {stored.Count:N0} resources of {Types.Count} types ({utf8.Sum(r => (long)r.Length) / 1048576.0:F1} MiB stored JSON) from `{corpus.SyntheaFolder}`"));
        Console.WriteLine("- command: `dotnet run -c Release --project tests/HealthDataSpace.Benchmarks -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) + "`");
        Console.WriteLine();

        var stages = new (string Name, Func<Task> Run)[]
        {
            ("UTF-8 copy of the stored JSON", () => Each(stored, r => Encoding.UTF8.GetBytes(r.Json).Length)),
            ("owner scan (ExportItem.PatientOf)", () => Each(stored.Count, i => ExportItem.PatientOf(stored[i].Type, utf8[i])?.Length ?? 0)),
            ("consent facts from the parsed tree (ExportItem.Describe)", () => Each(stored.Count, i => ExportItem.Describe(null, trees[i]).Codes.Count)),
            ("consent decision per code", () => Each(stored.Count, i => items[i].AllowedBy(consents, "HRESCH", "Organization/partner", stored[i].Type, null, at) ? 1 : 0)),
            ("anonymization engine (tree parse, rules, JSON write)", () => Each(utf8, r => engine.Anonymize(r).Length)),
            ("Parquet table rows", () => WriteTablesAsync(pseudonymised, cancellationToken)),
            ("NDJSON write + SHA-256", () => WriteNdjsonAsync(pseudonymised, cancellationToken)),
        };
        var perStage = stages.ToDictionary(s => s.Name, _ => new List<double>());
        var allocated = new Dictionary<string, long>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, run) in stages)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = await MeasureCpuAsync(run);
                allocated[name] = (GC.GetTotalAllocatedBytes(precise: true) - bytesBefore) / stored.Count;
                if (round > 1)
                {
                    perStage[name].Add(cpu.TotalMicroseconds / stored.Count);
                }
            }
        }

        Console.WriteLine($"| stage | CPU µs per resource (median of {rounds - 1} warm rounds) | min–max | share | allocated bytes per resource |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var total = perStage.Values.Sum(Median);
        foreach (var (name, values) in perStage)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(values):F2} | {values.Min():F2}–{values.Max():F2} | {Median(values) / total:P0} | {allocated[name]:N0} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| **sum** | **{total:F2}** | | |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"On {Environment.ProcessorCount} otherwise idle cores these stages alone bound an export near {Environment.ProcessorCount * 1_000_000 / total:N0} resources/s (before SQLite reads, blob writes and the gateway's own work)."));
        return 0;
    }

    private static Task Each<T>(List<T> inputs, Func<T, int> stage)
    {
        var sink = 0L;
        foreach (var input in inputs)
        {
            sink += stage(input);
        }

        GC.KeepAlive(sink);
        return Task.CompletedTask;
    }

    private static Task Each(int count, Func<int, int> stage)
    {
        var sink = 0L;
        for (var i = 0; i < count; i++)
        {
            sink += stage(i);
        }

        GC.KeepAlive(sink);
        return Task.CompletedTask;
    }

    private static async Task WriteTablesAsync(List<byte[]> resources, CancellationToken cancellationToken)
    {
        await using var set = new DatasetTableSet((_, _) => Task.FromResult<Stream>(new ForwardOnlyStream(Stream.Null)));
        foreach (var resource in resources)
        {
            await set.AddResourceAsync(resource, cancellationToken);
        }

        await set.CompleteAsync(cancellationToken);
    }

    private static async Task WriteNdjsonAsync(List<byte[]> resources, CancellationToken cancellationToken)
    {
        await using var output = new HashingStream(Stream.Null);
        foreach (var resource in resources)
        {
            await output.WriteAsync(resource, cancellationToken);
            await output.WriteAsync(Newline, cancellationToken);
        }

        GC.KeepAlive(output.Sha256());
    }

    /// <summary>Process CPU time (all threads, GC included) of one pass: the stages run on this thread alone.</summary>
    private static async Task<TimeSpan> MeasureCpuAsync(Func<Task> pass)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        await pass();
        process.Refresh();
        return process.TotalProcessorTime - before;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
