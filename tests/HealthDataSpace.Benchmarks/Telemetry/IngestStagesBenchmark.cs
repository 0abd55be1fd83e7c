using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Core.Telemetry.Templates;
using HealthDataSpace.Gateway.Features.Telemetry.Grpc;
using HealthDataSpace.Storage.Telemetry;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// <c>telemetry-stages</c> (issue 3): where the gateway's CPU goes per reading, stage by stage, in this process on one
/// thread: reading the gRPC batches into device messages (beside the generated protobuf parse the bare sink runs, for
/// reference), authorisation + normalisation + queueing (the ingestor over a store that keeps nothing), the durable
/// SQLite append (synchronous=FULL, group commits), and the projection's
/// read-back and grouping. Each stage is timed as process CPU over the same readings (GC included), so the figures
/// hold on a busy machine better than wall-clock rates. The FHIR write of Observations is not here: it needs the whole
/// gateway; the <c>telemetry</c> benchmark measures it as the CPU the gateway spends catching up.
/// </summary>
internal static class IngestStagesBenchmark
{
    public static Command CreateCommand()
    {
        var readings = new Option<int>("--readings") { Description = "Readings per stage (one reading per message, 500 messages per batch).", DefaultValueFactory = _ => 200_000 };
        var rounds = new Option<int>("--rounds") { Description = "Measured rounds (after one warm-up); the median is reported.", DefaultValueFactory = _ => 3 };
        var command = new Command("telemetry-stages", "CPU per reading of each telemetry ingest stage, in-process (issue 3).") { readings, rounds };
        command.SetAction((p, ct) => RunAsync(p.GetValue(readings), p.GetValue(rounds), ct));
        return command;
    }

    private static async Task<int> RunAsync(int readingCount, int rounds, CancellationToken cancellationToken)
    {
        const int perBatch = 500;
        const string deviceId = "stage-device";
        var machine = MachineFacts.Capture();
        var folder = Directory.CreateTempSubdirectory("hds-stages-");
        try
        {
            var kek = RandomNumberGenerator.GetBytes(DeviceKeyProtector.KeyEncryptionKeyBytes);
            var protector = new DeviceKeyProtector(kek);
            var templates = TelemetryTemplateFactory.LoadDefaults();
            var normalizer = templates.CreateNormalizer();
            var mapper = templates.CreateObservationMapper();
            var results = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            for (var round = 0; round <= rounds; round++)
            {
                var storage = TelemetryStoreFactory.CreateSqlite(Path.Combine(folder.FullName, $"round{round}.db"), fullSync: true);
                await storage.Store.InitializeAsync(cancellationToken);
                await storage.Registry.TryAddAsync(new DeviceRegistration(deviceId, "Patient/p", "d", null, "bench", false, null,
                    DateTimeOffset.UtcNow, null, protector.Seal(deviceId, DeviceKeys.Generate())), cancellationToken);
                var directory = new DeviceDirectory(storage.Registry, protector, TimeProvider.System, TimeSpan.FromMinutes(5));
                var options = new TelemetryOptions();
                var discard = new TelemetryWriter(new DiscardingStore(), options);
                using var stopping = new CancellationTokenSource();
                var loop = discard.RunAsync(stopping.Token);
                var ingestor = new TelemetryIngestor(directory, normalizer, discard, options, TimeProvider.System);

                var wire = StreamLoad.Build(deviceId, $"r{round}", readingCount / perBatch, perBatch, 1).Select(b => b.ToByteArray()).ToList();
                var measured = new Dictionary<string, double>(StringComparer.Ordinal);

                // Reference only (not in the sum): what the generated parser, which the bare sink runs, costs on the same bytes.
                measured[GeneratedParse] = Measure(readingCount, () => GC.KeepAlive(wire.Select(TelemetryBatch.Parser.ParseFrom).ToList()));
                List<List<DeviceMessage>> messages = [];
                measured["gRPC: read batches into device messages"] = Measure(readingCount, () => messages = [.. wire.Select(b => TelemetryBatchReader.Read(b).Messages)]);
                measured["ingest: authorise + normalise + queue"] = await MeasureAsync(readingCount, async () =>
                {
                    foreach (var batch in messages)
                    {
                        await ingestor.IngestAsync(new IngestCaller.Device(deviceId), batch, cancellationToken);
                    }
                });

                var records = messages.Select(batch => batch.Select(m => new TelemetryRecord(deviceId, m.MessageId, m.EnqueuedTime, m.EnqueuedTime, m.JsonPayload,
                    normalizer.Normalize(m, DateTimeOffset.UtcNow).Readings)).ToList()).ToList();
                measured["store: durable append (SQLite FULL, 2,000 per commit)"] = await MeasureAsync(readingCount, async () =>
                {
                    foreach (var commit in records.Chunk(4))
                    {
                        await storage.Store.AppendAsync([.. commit.SelectMany(r => r)], cancellationToken);
                    }
                });

                IReadOnlyList<StoredReading> readBack = [];
                measured["projection: read back (ReadAfterAsync, 20,000 per call)"] = await MeasureAsync(readingCount, async () =>
                {
                    var all = new List<StoredReading>(readingCount);
                    for (long after = 0; ;)
                    {
                        var page = await storage.Store.ReadAfterAsync(after, 20_000, cancellationToken);
                        if (page.Count == 0)
                        {
                            break;
                        }

                        all.AddRange(page);
                        after = page[^1].Sequence;
                    }

                    readBack = all;
                });
                var subject = new TelemetrySubject(deviceId, "Device/d", "Patient/p");
                measured["projection: group into Observations (mapper)"] = Measure(readingCount, () =>
                {
                    foreach (var chunk in readBack.Chunk(20_000))
                    {
                        mapper.Map(subject, [.. chunk.Select(r => r.Reading)]);
                    }
                });

                await stopping.CancelAsync();
                await loop;
                await ((IAsyncDisposable)storage.Store).DisposeAsync();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}{(round == 0 ? " (warm-up)" : string.Empty)}: {string.Join(", ", measured.Select(m => $"{m.Key} {m.Value:F2}"))}"));
                if (round > 0)
                {
                    foreach (var (stage, micros) in measured)
                    {
                        (results.TryGetValue(stage, out var list) ? list : results[stage] = []).Add(micros);
                    }
                }
            }

            Console.WriteLine("### Run");
            Console.WriteLine();
            foreach (var line in machine.Describe())
            {
                Console.WriteLine(line);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- {readingCount:N0} readings (one per message, 500 per batch) per stage, median of {rounds} rounds, process CPU (GC included)"));
            Console.WriteLine();
            Console.WriteLine("| stage | CPU µs per reading |");
            Console.WriteLine("|---|---:|");
            foreach (var (stage, list) in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {list.Order().ElementAt(list.Count / 2):F2} |"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| **sum** | **{results.Where(r => r.Key != GeneratedParse).Sum(r => r.Value.Order().ElementAt(r.Value.Count / 2)):F2}** |"));
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private const string GeneratedParse = "(reference: generated protobuf parse, as the bare sink does; not in the sum)";

    private static double Measure(int readings, Action stage)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        stage();
        return (Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / readings;
    }

    private static async Task<double> MeasureAsync(int readings, Func<Task> stage)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        await stage();
        return (Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / readings;
    }

    /// <summary>Keeps nothing and calls every record new: the ingestor's own cost without a store behind it.</summary>
    private sealed class DiscardingStore : ITelemetryStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Repeat(true, records.Count).ToArray());

        public Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken) => Task.FromResult(0L);

        public Task SetCheckpointAsync(string consumer, long sequence, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
