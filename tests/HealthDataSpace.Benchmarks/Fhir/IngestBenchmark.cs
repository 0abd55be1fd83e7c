using System.CommandLine;
using HealthDataSpace.Benchmarks.Infrastructure;

namespace HealthDataSpace.Benchmarks.Fhir;

/// <summary>
/// <c>ingest</c> (issue 2): every Synthea bundle through the REST API into the embedded store, beside a same-run
/// baseline that only parses and re-serialises the same bundles with the Firely SDK.
/// <para>
/// A plain Stopwatch harness, not BenchmarkDotNet: BenchmarkDotNet is for micro-benchmarks of in-process methods that
/// it can invoke thousands of times. This measures an end-to-end pass in which each bundle can only be ingested once
/// into an empty store, served by another process; what matters here is the per-bundle latency distribution and the
/// wall-clock throughput of that pass, repeated for a few rounds.
/// </para>
/// <para>
/// One gateway process serves every round, as a deployed gateway would. Round 1 is cold (the server's JIT warms up
/// during it) and is reported apart; later rounds are warm, each as a new hospital client whose tenant starts empty,
/// into a store that keeps growing by the corpus every round.
/// </para>
/// </summary>
internal static class IngestBenchmark
{
    public static Command CreateCommand()
    {
        var rounds = new Option<int>("--rounds")
        {
            Description = "Rounds to run against one gateway process (round 1 cold, the rest warm), each followed by the baseline.",
            DefaultValueFactory = _ => 4,
        };
        var data = new Option<string?>("--data")
        {
            Description = "The shared data folder holding synthea/hospital and synthea/patients. Default: ../shared/data next to the repository root.",
        };
        var output = new Option<string?>("--out") { Description = "Also write the Markdown report to this file." };

        var command = new Command("ingest", "FHIR bundle ingest through the gateway's REST API vs a Firely parse/serialise baseline (issue 2).")
        {
            rounds, data, output,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(rounds), parseResult.GetValue(data), parseResult.GetValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rounds, string? dataFolder, string? outFile, CancellationToken cancellationToken)
    {
        if (rounds < 1)
        {
            await Console.Error.WriteLineAsync("--rounds must be at least 1.");
            return 2;
        }

        try
        {
            var machine = MachineFacts.Capture();
            var corpus = IngestCorpus.Load(dataFolder ?? RepositoryPaths.SharedData);
            var gatewayAssembly = GatewayProcess.LocateBuiltGateway();
            if (GatewayProcess.BuildConfiguration != "Release")
            {
                await Console.Error.WriteLineAsync($"warning: this is a {GatewayProcess.BuildConfiguration} build; publish only Release figures.");
            }

            await Console.Error.WriteLineAsync(
                $"ingest: {corpus.Bundles.Count} bundles, {corpus.TotalEntries} resources from {corpus.SyntheaFolder}; gateway {gatewayAssembly}");
            var results = new List<IngestRound>(rounds);
            await using var process = await GatewayProcess.StartAsync(gatewayAssembly, cancellationToken);
            for (var round = 1; round <= rounds; round++)
            {
                var clientId = $"benchmark-hospital-{round.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                var gateway = await GatewayIngestPass.RunAsync(process, clientId, corpus, cancellationToken);
                var baseline = FirelyBaselinePass.Run(corpus);
                var output = process.Output.ToList();
                results.Add(new IngestRound(round, gateway, round == 1 ? process.StartupTime : TimeSpan.Zero, output, baseline, MachineFacts.LoadAverage()));
                await Console.Error.WriteLineAsync(
                    $"round {round}/{rounds}: gateway {gateway.ResourcesPerSecond:F0} resources/s in {gateway.Wall.TotalSeconds:F2} s, " +
                    $"baseline {baseline.ResourcesPerSecond:F0} resources/s in {baseline.Wall.TotalSeconds:F2} s");
                if (round == rounds)
                {
                    foreach (var line in output)
                    {
                        await Console.Error.WriteLineAsync($"  gateway: {line}");
                    }
                }
            }

            var command = "dotnet run -c Release --project tests/HealthDataSpace.Benchmarks -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var report = IngestReport.Render(machine, corpus, results, command);
            await Console.Out.WriteAsync(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report, cancellationToken);
            }

            return 0;
        }
        catch (BenchmarkFailedException e)
        {
            await Console.Error.WriteLineAsync($"ingest benchmark failed, no figures reported: {e.Message}");
            return 1;
        }
    }
}
