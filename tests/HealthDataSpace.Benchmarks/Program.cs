using System.CommandLine;
using HealthDataSpace.Benchmarks.Consent;
using HealthDataSpace.Benchmarks.Fhir;
using HealthDataSpace.Benchmarks.Research;
using HealthDataSpace.Benchmarks.Telemetry;
using HealthDataSpace.Benchmarks.Privacy;

// One subcommand per benchmark, each in a folder named after its area (Fhir/, later Telemetry/, Consent/, ...).
// Usage: dotnet run -c Release --project tests/HealthDataSpace.Benchmarks -- <benchmark> [options]
var root = new RootCommand("HealthDataSpace benchmarks: the figures in docs/benchmarks.md. Never run by the test suite.")
{
    IngestBenchmark.CreateCommand(),
    ConsentDecisionBenchmark.CreateCommand(),
    CohortCountBenchmark.CreateCommand(),
    DatasetTablesBenchmark.CreateCommand(),
    NormalizeBenchmark.CreateCommand(),
    DeidentifyBenchmark.CreateCommand(),
    TelemetryBenchmark.CreateCommand(),
    IngestStagesBenchmark.CreateCommand(),
    MigrationBenchmark.CreateCommand(),
    ExportBenchmark.CreateCommand(),
    ExportStagesBenchmark.CreateCommand(),
};

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    foreach (var error in parseResult.Errors)
    {
        await Console.Error.WriteLineAsync(error.Message);
    }

    return 2;
}

return await parseResult.InvokeAsync();
