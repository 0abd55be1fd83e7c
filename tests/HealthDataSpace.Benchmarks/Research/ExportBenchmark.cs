using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Benchmarks.Fhir;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Storage.Fhir;

namespace HealthDataSpace.Benchmarks.Research;

/// <summary>
/// <c>export</c> (issue 6): a dataset export through the real gateway (a Release process on SQLite, files to the local
/// blob folder) over the Synthea corpus loaded <c>--copies</c> times, beside a same-run bare baseline that only reads
/// the same resources from the same database in storage order and writes them as NDJSON (no consent, no
/// pseudonymisation, no k-anonymity, no Parquet). Reports resources/s of both, the ratio, and the gateway's peak
/// resident memory (VmHWM) before and after the export; the gateway is restarted after loading so loading does not
/// count.
/// </summary>
internal static class ExportBenchmark
{
    public static readonly string[] PermitTypes =
        ["Patient", "Encounter", "Condition", "Observation", "MedicationRequest", "Procedure", "Immunization", "DiagnosticReport", "CarePlan", "Claim", "ExplanationOfBenefit"];

    public static Command CreateCommand()
    {
        var copies = new Option<int>("--copies") { Description = "How many times to load the Synthea corpus (new patients each time).", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Exports to run (each beside a baseline pass).", DefaultValueFactory = _ => 2 };
        var data = new Option<string?>("--data") { Description = "The shared data folder holding synthea/. Default: ../shared/data." };
        var keep = new Option<string?>("--gateway-data")
        {
            Description = "Keep the gateway's data folder here and reuse it when it already holds a loaded store (to compare gateway settings "
                          + "without loading again; --copies is then ignored). Default: a temporary folder, deleted at the end.",
        };
        var command = new Command("export", "Dataset export throughput and peak memory vs a bare read-and-write baseline (issue 6).") { copies, rounds, data, keep };
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(parseResult.GetValue(copies), parseResult.GetValue(rounds), parseResult.GetValue(data), parseResult.GetValue(keep), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int copies, int rounds, string? dataFolder, string? gatewayData, CancellationToken cancellationToken)
    {
        if (copies < 1 || rounds < 1)
        {
            await Console.Error.WriteLineAsync("--copies and --rounds must be at least 1.");
            return 2;
        }

        try
        {
            var machine = MachineFacts.Capture();
            var corpus = IngestCorpus.Load(dataFolder ?? RepositoryPaths.SharedData);
            var assembly = GatewayProcess.LocateBuiltGateway();
            var dataPath = gatewayData is null ? Directory.CreateTempSubdirectory("hds-bench-export-").FullName : Directory.CreateDirectory(gatewayData).FullName;
            var loaded = gatewayData is not null && File.Exists(Path.Combine(dataPath, "healthdataspace.db"));
            var settings = new Dictionary<string, string>
            {
                ["Consent__Defaults__HRESCH"] = "OptOut",
                ["Privacy__KAnonymity__K"] = "2",
            };
            try
            {
                if (loaded)
                {
                    Console.WriteLine($"reusing the loaded store in {dataPath}");
                }

                await using (var loader = await GatewayProcess.StartAsync(assembly, cancellationToken, dataPath, settings))
                {
                    for (var copy = 0; copy < (loaded ? 0 : copies); copy++)
                    {
                        var pass = await GatewayIngestPass.RunAsync(loader, $"hospital-{copy}", corpus, cancellationToken);
                        Console.WriteLine($"loaded copy {copy + 1}/{copies}: {pass.Resources:N0} resources in {pass.Wall.TotalSeconds:F1} s");
                    }
                }

                await using var gateway = await GatewayProcess.StartAsync(assembly, cancellationToken, dataPath, settings);
                var permit = await CreatePermitAsync(gateway, cancellationToken);
                var report = new List<string>();
                var idle = ResidentMemory(gateway);
                for (var round = 1; round <= rounds; round++)
                {
                    var baseline = await BaselineAsync(Path.Combine(dataPath, "healthdataspace.db"), cancellationToken);
                    var before = PeakMemory(gateway);
                    var cpuBefore = CpuTime(gateway);
                    var export = await ExportAsync(gateway, permit, cancellationToken);
                    var cpu = CpuTime(gateway) - cpuBefore;
                    var after = PeakMemory(gateway);
                    var line = string.Create(CultureInfo.InvariantCulture,
                        $"| {round} | {export.Resources:N0} | {export.Seconds:F1} | {export.Resources / export.Seconds:N0} | {export.Resources / cpu.TotalSeconds:N0} | {baseline.Resources:N0} | {baseline.Resources / baseline.Seconds:N0} | {export.Resources / export.Seconds / (baseline.Resources / baseline.Seconds):P0} | {before / 1048576.0:N0} | {after / 1048576.0:N0} | {ResidentMemory(gateway) / 1048576.0:N0} |");
                    Console.WriteLine(line);
                    report.Add(line);
                }

                Console.WriteLine();
                Console.WriteLine("### Run");
                Console.WriteLine();
                foreach (var fact in machine.Describe())
                {
                    Console.WriteLine(fact);
                }

                Console.WriteLine($"- corpus: Synthea x {(loaded ? "(reused store)" : copies)}, permit types {string.Join(", ", PermitTypes)}");
                Console.WriteLine();
                Console.WriteLine("| round | resources exported | export s | export resources/s | resources per gateway CPU-second | baseline resources | baseline resources/s | export / baseline | gateway peak RSS before export MiB | after MiB | RSS after MiB |");
                Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                report.ForEach(Console.WriteLine);
                Console.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Gateway resident before the first export: {idle / 1048576.0:N0} MiB; highest peak during the exports: {PeakMemory(gateway) / 1048576.0:N0} MiB, so the exports took at most {(PeakMemory(gateway) - idle) / 1048576.0:N0} MiB on top of the idle gateway."));
                return 0;
            }
            finally
            {
                if (gatewayData is null)
                {
                    Directory.Delete(dataPath, recursive: true);
                }
            }
        }
        catch (BenchmarkFailedException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    private static async Task<string> CreatePermitAsync(GatewayProcess gateway, CancellationToken cancellationToken)
    {
        using var steward = gateway.CreateClient(GatewayRoles.Steward, "steward-bench");
        using var response = await steward.PostAsJsonAsync("steward/permits", new
        {
            project = "bench-export", title = "Export benchmark", recipient = "Organization/bench-partner", researchers = new[] { "bench-researcher" },
            purpose = "HRESCH", resourceTypes = PermitTypes, validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z",
            outputs = new[] { "dataset" },
        }, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchmarkFailedException($"POST /steward/permits answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
    }

    private static async Task<(long Resources, double Seconds)> ExportAsync(GatewayProcess gateway, string permit, CancellationToken cancellationToken)
    {
        using var researcher = gateway.CreateClient(GatewayRoles.Researcher, "portal", "bench-researcher");
        var started = Stopwatch.StartNew();
        using var accepted = await researcher.PostAsync(new Uri($"research/permits/{permit}/$export", UriKind.Relative), null, cancellationToken);
        var location = accepted.Content.Headers.ContentLocation
            ?? throw new BenchmarkFailedException($"$export answered {(int)accepted.StatusCode} without Content-Location: {await accepted.Content.ReadAsStringAsync(cancellationToken)}");
        while (true)
        {
            using var status = await researcher.GetAsync(new Uri(location.ToString().TrimStart('/'), UriKind.Relative), cancellationToken);
            if (status.StatusCode == HttpStatusCode.OK)
            {
                var seconds = started.Elapsed.TotalSeconds;
                var manifest = await status.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                return (manifest.GetProperty("output").EnumerateArray().Sum(o => o.GetProperty("count").GetInt64()), seconds);
            }

            if (status.StatusCode != HttpStatusCode.Accepted)
            {
                throw new BenchmarkFailedException($"The export job answered {(int)status.StatusCode}: {await status.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The bare baseline: the same types read in storage order from the same database and written as NDJSON.</summary>
    private static async Task<(long Resources, double Seconds)> BaselineAsync(string database, CancellationToken cancellationToken)
    {
        var store = FhirStoreFactory.CreateSqlite(database);
        var file = Path.GetTempFileName();
        var started = Stopwatch.StartNew();
        long resources = 0;
        try
        {
            await using var output = new StreamWriter(file);
            await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
            foreach (var type in PermitTypes)
            {
                for (long? position = 0; position is { } after;)
                {
                    var page = await session.ScanAsync(type, after, 500, cancellationToken);
                    foreach (var resource in page.Resources)
                    {
                        await output.WriteLineAsync(resource.Json);
                        resources++;
                    }

                    position = page.Next;
                }
            }
        }
        finally
        {
            File.Delete(file);
        }

        return (resources, started.Elapsed.TotalSeconds);
    }

    /// <summary>The gateway process's peak resident set (VmHWM) in bytes, from /proc.</summary>
    private static long PeakMemory(GatewayProcess gateway) => StatusKilobytes(gateway, "VmHWM:") * 1024;

    /// <summary>The gateway process's resident set now (VmRSS) in bytes: whether memory is given back between exports.</summary>
    private static long ResidentMemory(GatewayProcess gateway) => StatusKilobytes(gateway, "VmRSS:") * 1024;

    private static long StatusKilobytes(GatewayProcess gateway, string field)
    {
        var line = File.ReadLines($"/proc/{gateway.ProcessId}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The gateway's CPU time so far (user + system, all threads), from /proc/{pid}/stat: resources per CPU-second do not
    /// depend on how busy the rest of the machine is, as resources per second do.
    /// </summary>
    private static TimeSpan CpuTime(GatewayProcess gateway)
    {
        var stat = File.ReadAllText($"/proc/{gateway.ProcessId}/stat");
        // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>USER_HZ: 100 on every Linux this runs on (the kernel's ABI for /proc times).</summary>
    private const int ClockTicksPerSecond = 100;
}
