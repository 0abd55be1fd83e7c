using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// <c>telemetry</c> (issue 3): readings/s through <c>TelemetryIngest.Stream</c> with durable acks, and ack latency,
/// against the gateway as its own process — beside a same-run bare gRPC sink that only counts, and a durable floor that
/// only stores each message's de-duplication key (<see cref="DurableKeySink"/>); then MQTT QoS 1 messages/s through the
/// gateway beside a no-op MQTTnet server. Rounds alternate sink, floor and gateway so all see the same machine load.
/// </summary>
internal static class TelemetryBenchmark
{
    private static readonly CompositeFormat ReadingsLine =
        CompositeFormat.Parse("| {0} | {1} | {2:N0} | {3:F2} | {4:N0} | {5:F1} | {6:F1} | {7:F1} | {8:F1} | {9} | {10} |");

    public static Command CreateCommand()
    {
        var streams = new Option<int>("--streams") { Description = "Concurrent streams, one device each.", DefaultValueFactory = _ => 4 };
        var batches = new Option<int>("--batches") { Description = "Batches per stream per round.", DefaultValueFactory = _ => 100 };
        var messages = new Option<int>("--messages") { Description = "Messages per batch.", DefaultValueFactory = _ => 500 };
        var perMessage = new Option<int>("--readings-per-message") { Description = "Measurements per message.", DefaultValueFactory = _ => 1 };
        var rounds = new Option<int>("--rounds") { Description = "Measured rounds (after one warm-up).", DefaultValueFactory = _ => 3 };
        rounds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--rounds must be at least 1.");
            }
        });
        var warmUp = new Option<int?>("--warm-up-batches") { Description = "Batches per stream in the warm-up round (default: as many as two measured rounds)." };
        var mqttDevices = new Option<int>("--mqtt-devices") { Description = "Concurrent MQTT connections, one device each.", DefaultValueFactory = _ => 32 };
        var mqttMessages = new Option<int>("--mqtt-messages") { Description = "QoS 1 messages per MQTT device.", DefaultValueFactory = _ => 300 };
        var clientWindow = new Option<int>("--client-window") { Description = "Unacknowledged batches each stream keeps in flight.", DefaultValueFactory = _ => 32 };
        var mqttInFlight = new Option<int>("--mqtt-in-flight") { Description = "QoS 1 publishes each MQTT device keeps in flight in the pipelined pass.", DefaultValueFactory = _ => 16 };
        var fullSync = new Option<bool>("--sqlite-full-sync") { Description = "Telemetry:SqliteFullSync of the gateway.", DefaultValueFactory = _ => true };
        var output = new Option<string?>("--out") { Description = "Also write the Markdown report to this file." };
        var command = new Command("telemetry", "Telemetry ingest: gRPC Stream with durable acks vs a bare sink and a durable floor, MQTT QoS 1 vs a no-op MQTTnet server (issue 3).")
        {
            streams, batches, messages, perMessage, rounds, warmUp, clientWindow, mqttDevices, mqttMessages, mqttInFlight, fullSync, output,
        };
        command.SetAction((p, ct) => RunAsync(new Settings(p.GetValue(streams), p.GetValue(batches), p.GetValue(messages), p.GetValue(perMessage),
            p.GetValue(rounds), p.GetValue(warmUp) ?? (2 * p.GetValue(batches)), p.GetValue(clientWindow), p.GetValue(mqttDevices), p.GetValue(mqttMessages),
            p.GetValue(mqttInFlight), p.GetValue(fullSync)),
            p.GetValue(output), ct));
        return command;
    }

    private sealed record RoundResult(StreamPassResult Sink, StreamPassResult Floor, StreamPassResult Gateway);

    private sealed record Settings(int Streams, int Batches, int Messages, int PerMessage, int Rounds, int WarmUpBatches, int ClientWindow, int MqttDevices,
        int MqttMessages, int MqttInFlight, bool FullSync);

    private static async Task<int> RunAsync(Settings settings, string? outFile, CancellationToken cancellationToken)
    {
        try
        {
            var machine = MachineFacts.Capture();
            if (GatewayProcess.BuildConfiguration != "Release")
            {
                await Console.Error.WriteLineAsync($"warning: this is a {GatewayProcess.BuildConfiguration} build; publish only Release figures.");
            }

            var gatewayMqttPort = FreePort();
            await using var gateway = await GatewayProcess.StartAsync(GatewayProcess.LocateBuiltGateway(), cancellationToken, settings: new Dictionary<string, string>
            {
                ["Mqtt__Port"] = gatewayMqttPort.ToString(CultureInfo.InvariantCulture),
                ["Telemetry__SqliteFullSync"] = settings.FullSync ? "true" : "false",
            });
            await using var sinks = await BareSinks.StartAsync(FreePort(), FreePort());
            await using var floor = await DurableKeySink.StartAsync(FreePort(), settings.FullSync);
            var devices = await RegisterDevicesAsync(gateway, settings.Streams + settings.MqttDevices, cancellationToken);
            var streamDevices = devices.Take(settings.Streams).ToList();
            using var gatewayChannel = GrpcChannel.ForAddress(gateway.GrpcAddress);
            using var sinkChannel = GrpcChannel.ForAddress(sinks.GrpcAddress);
            using var floorChannel = GrpcChannel.ForAddress(floor.GrpcAddress);

            var projection = new ProjectionProbe(gateway.DataPath);
            var results = new List<RoundResult>();
            for (var round = 0; round <= settings.Rounds; round++)
            {
                // The warm-up is as long as two measured rounds: after half a round, and still after one at ten readings
                // per message, the JIT's tiered recompilation (with dynamic PGO, on two busy cores) was running through
                // round 1 (hundreds of methods compiled per second), where the gateway spent 1.5-2 times the CPU per
                // reading of rounds 2 and 3.
                var batches = round == 0 ? Math.Max(1, settings.WarmUpBatches) : settings.Batches;
                // Built before the clocks start: only sending, parsing and acknowledging is measured.
                var sinkStreams = Streams(streamDevices, $"s{round}", batches, settings, sas: false);
                var floorStreams = Streams(streamDevices, $"f{round}", batches, settings, sas: false);
                var gatewayStreams = Streams(streamDevices, $"g{round}", batches, settings, sas: true);
                var benchmarkCpu = Environment.CpuUsage.TotalTime;
                var sink = await StreamLoad.RunAsync("bare sink", sinkChannel, sinkStreams, settings.ClientWindow, cancellationToken);
                sink = sink with { CpuMicrosPerReading = MicrosPer(Environment.CpuUsage.TotalTime - benchmarkCpu, sink.Readings) };
                benchmarkCpu = Environment.CpuUsage.TotalTime;
                var durable = await StreamLoad.RunAsync("durable floor", floorChannel, floorStreams, settings.ClientWindow, cancellationToken);
                durable = durable with { CpuMicrosPerReading = MicrosPer(Environment.CpuUsage.TotalTime - benchmarkCpu, durable.Readings) };

                var gatewayCpu = gateway.ProcessorTime;
                var stored = await StreamLoad.RunAsync("gateway", gatewayChannel, gatewayStreams, settings.ClientWindow, cancellationToken);
                var passCpu = gateway.ProcessorTime - gatewayCpu;
                var catchUp = await projection.WaitUntilCaughtUpAsync(TimeSpan.FromMinutes(10), cancellationToken);
                var settled = await gateway.WaitUntilIdleAsync(TimeSpan.FromMinutes(1), cancellationToken);
                stored = stored with
                {
                    CpuMicrosPerReading = MicrosPer(passCpu, stored.Readings),
                    CpuMicrosPerReadingWithProjection = MicrosPer(gateway.ProcessorTime - gatewayCpu, stored.Readings),
                    ProjectionCatchUp = catchUp,
                };
                if (stored.Rejected > 0 || stored.Duplicates > 0 || durable.Duplicates > 0)
                {
                    throw new BenchmarkFailedException(
                        $"The gateway rejected {stored.Rejected} and called {stored.Duplicates} duplicates (the floor {durable.Duplicates}) of messages sent once; the figures would not be for stored readings.");
                }

                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}{(round == 0 ? " (warm-up)" : string.Empty)}: sink {sink.ReadingsPerSecond:N0}/s, durable floor {durable.ReadingsPerSecond:N0}/s, gateway {stored.ReadingsPerSecond:N0}/s, gateway ack p99 {stored.AckMilliseconds.P99:F1} ms, gateway {stored.CpuMicrosPerReadingWithProjection:F1} CPU-µs/reading, projection caught up {catchUp.TotalSeconds:F2} s later, gateway idle after {settled.TotalSeconds:F1} s more"));
                if (round > 0)
                {
                    results.Add(new RoundResult(sink, durable, stored));
                }
            }

            var mqttDevices = devices.Skip(settings.Streams)
                .Select(d => new MqttLoad.Device(d.DeviceId, $"localhost/{d.DeviceId}/?api-version=2021-04-12", d.Sas())).ToList();
            // Warm-up: the MQTT path (MQTTnet, JSON templates) is not touched by the gRPC rounds and would be measured cold.
            await MqttLoad.RunAsync("no-op MQTTnet", sinks.MqttPort, mqttDevices, Math.Max(1, settings.MqttMessages / 3), settings.MqttInFlight, "warm-sink", cancellationToken);
            await MqttLoad.RunAsync("gateway", gatewayMqttPort, mqttDevices, Math.Max(1, settings.MqttMessages / 3), settings.MqttInFlight, "warm-gw", cancellationToken);
            await projection.WaitUntilCaughtUpAsync(TimeSpan.FromMinutes(10), cancellationToken);
            var mqtt = new List<MqttPassResult>();
            foreach (var inFlight in new[] { 1, settings.MqttInFlight }.Distinct())
            {
                var mqttSink = await MqttLoad.RunAsync("no-op MQTTnet", sinks.MqttPort, mqttDevices, settings.MqttMessages, inFlight, $"sink{inFlight}", cancellationToken);
                var mqttGateway = await MqttLoad.RunAsync("gateway", gatewayMqttPort, mqttDevices, settings.MqttMessages, inFlight, $"gw{inFlight}", cancellationToken);
                await projection.WaitUntilCaughtUpAsync(TimeSpan.FromMinutes(10), cancellationToken);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"mqtt, {inFlight} in flight per device: no-op {mqttSink.MessagesPerSecond:N0}/s, gateway {mqttGateway.MessagesPerSecond:N0}/s"));
                mqtt.Add(mqttSink);
                mqtt.Add(mqttGateway);
            }

            var report = Report(machine, settings, results, mqtt);
            await Console.Out.WriteLineAsync(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report, cancellationToken);
            }

            return 0;
        }
        catch (BenchmarkFailedException e)
        {
            await Console.Error.WriteLineAsync($"telemetry benchmark failed: {e.Message}");
            return 1;
        }
    }

    private static List<(Metadata, List<Contracts.Telemetry.V1.TelemetryBatch>)> Streams(IEnumerable<DeviceKeysFor> devices, string runId, int batches,
        Settings settings, bool sas) =>
        [.. devices.Select(d => (sas ? new Metadata { { "authorization", d.Sas() } } : [],
            StreamLoad.Build(d.DeviceId, $"{runId}-{d.DeviceId}", batches, settings.Messages, settings.PerMessage)))];

    internal sealed record DeviceKeysFor(string DeviceId, string PrimaryKey)
    {
        public string Sas() => SharedAccessSignature.Build("localhost", DeviceId, Convert.FromBase64String(PrimaryKey), DateTimeOffset.UtcNow.AddHours(4));
    }

    private static async Task<List<DeviceKeysFor>> RegisterDevicesAsync(GatewayProcess gateway, int count, CancellationToken cancellationToken)
    {
        using var hospital = gateway.CreateClient("Hospital", "benchmark-hospital");
        using var patient = await hospital.PostAsync(new Uri("fhir/Patient", UriKind.Relative),
            new StringContent("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Benchmark\"}]}", Encoding.UTF8, "application/fhir+json"), cancellationToken);
        if (patient.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchmarkFailedException($"Creating the patient answered {(int)patient.StatusCode}.");
        }

        var patientId = (await patient.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken)).GetProperty("id").GetString();
        var devices = new List<DeviceKeysFor>();
        for (var i = 0; i < count; i++)
        {
            var deviceId = $"bench-{i.ToString(CultureInfo.InvariantCulture)}";
            using var registered = await hospital.PostAsJsonAsync(new Uri("devices", UriKind.Relative), new { deviceId, patient = $"Patient/{patientId}" }, cancellationToken);
            if (registered.StatusCode != HttpStatusCode.Created)
            {
                throw new BenchmarkFailedException($"Registering a device answered {(int)registered.StatusCode}: {gateway.Diagnostics()}");
            }

            var body = await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken);
            devices.Add(new DeviceKeysFor(deviceId, body.GetProperty("primaryKey").GetString()!));
        }

        return devices;
    }

    private static string Report(MachineFacts machine, Settings settings, List<RoundResult> rounds,
        List<MqttPassResult> mqtt)
    {
        var text = new StringBuilder();
        text.AppendLine("### Run").AppendLine();
        foreach (var line in machine.Describe())
        {
            text.AppendLine(line);
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"- load: {settings.Streams} streams x {settings.Batches} batches x {settings.Messages} messages x {settings.PerMessage} reading(s), SQLite synchronous={(settings.FullSync ? "FULL" : "NORMAL")}, client window {settings.ClientWindow} batches, warm-up round of {settings.WarmUpBatches} batches per stream");
        text.AppendLine("- CPU µs/reading: sink and floor rows = the benchmark process (client and server); gateway rows = the gateway process during the pass, then including its catch-up afterwards (Observation projection, research feed) until it is idle");
        text.AppendLine().AppendLine("| round | target | readings | wall s | readings/s | ack p50 ms | ack p99 ms | ack max ms | CPU µs/reading | incl. projection | Observations caught up after s |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var index = 1;
        foreach (var (sink, floor, gateway) in rounds)
        {
            foreach (var pass in new[] { sink, floor, gateway })
            {
                text.AppendLine(string.Format(CultureInfo.InvariantCulture, ReadingsLine, index, pass.Target, pass.Readings, pass.Wall.TotalSeconds,
                    pass.ReadingsPerSecond, pass.AckMilliseconds.P50, pass.AckMilliseconds.P99, pass.AckMilliseconds.Max, pass.CpuMicrosPerReading,
                    pass.CpuMicrosPerReadingWithProjection?.ToString("F1", CultureInfo.InvariantCulture) ?? "–",
                    pass.ProjectionCatchUp?.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) ?? "–"));
            }

            index++;
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Median gateway/sink ratio {Median(rounds, r => r.Gateway.ReadingsPerSecond / r.Sink.ReadingsPerSecond):P0}; median durable floor/sink ratio {Median(rounds, r => r.Floor.ReadingsPerSecond / r.Sink.ReadingsPerSecond):P0}; median gateway/floor ratio {Median(rounds, r => r.Gateway.ReadingsPerSecond / r.Floor.ReadingsPerSecond):P0}; median gateway {Median(rounds, r => r.Gateway.ReadingsPerSecond):N0} readings/s.");
        text.AppendLine().AppendLine("| MQTT QoS 1 | in flight per device | messages | wall s | messages/s | PUBACK p50 ms | PUBACK p99 ms |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var pass in mqtt)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {pass.Target} | {pass.InFlight} | {pass.Messages:N0} | {pass.Wall.TotalSeconds:F2} | {pass.MessagesPerSecond:N0} | {pass.PubAckMilliseconds.P50:F1} | {pass.PubAckMilliseconds.P99:F1} |");
        }

        return text.ToString();
    }

    /// <summary>The middle figure of the rounds; with an even number of rounds, the mean of the two middle ones.</summary>
    private static double Median(List<RoundResult> rounds, Func<RoundResult, double> figure)
    {
        var sorted = rounds.Select(figure).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double MicrosPer(TimeSpan cpu, long readings) => cpu.TotalMicroseconds / readings;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
