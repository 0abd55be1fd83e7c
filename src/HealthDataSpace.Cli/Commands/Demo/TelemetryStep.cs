using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>A registered wearable: its id and the patient it is bound to.</summary>
internal sealed record DemoDevice(string DeviceId, string PatientId);

/// <summary>
/// Step 2, the wearables: the hospital registers one device per patient (<c>POST /devices</c>), then every device
/// streams the last 24 hours of minute heart rate and SpO2 over gRPC <c>TelemetryIngest.Stream</c> with its own IoT Hub
/// SAS token, an hour per batch, all devices at once. Every batch must be acknowledged in full.
/// </summary>
internal static class TelemetryStep
{
    private const int MinutesPerBatch = 60;
    private const int Hours = 24;
    private const int ReadingsPerMinute = 2;

    public static Task<IReadOnlyList<DemoDevice>> RunAsync(DemoApi api, DemoConsole console, IReadOnlyList<string> patients, int devices,
        WearableSignals signals, CancellationToken cancellationToken)
    {
        var count = Math.Min(devices, patients.Count);
        var readingsPerDevice = Hours * 60 * ReadingsPerMinute;
        return console.StepAsync<IReadOnlyList<DemoDevice>>("Wearables register and stream over gRPC", count * (1 + readingsPerDevice), async progress =>
        {
            var started = TimeProvider.System.GetTimestamp();
            // Device ids are never reused, not even after revocation: a run tag keeps a second demo on the same data apart.
            var run = Guid.NewGuid().ToString("N")[..6];
            var registered = new List<(DemoDevice Device, string Sas)>();
            for (var i = 0; i < count; i++)
            {
                registered.Add(await RegisterAsync(api, $"demo-{run}-watch-{(i + 1).ToString("00", CultureInfo.InvariantCulture)}", patients[i], cancellationToken));
                progress.Advance(1);
            }

            // The last full minute, back 24 hours: inside every "last 2 days" telemetry window.
            var now = DateTimeOffset.UtcNow;
            var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
            var start = end.AddMinutes(-(Hours * 60) + 1);
            var acks = await Task.WhenAll(registered.Select((d, index) =>
                StreamAsync(api, d.Device.DeviceId, d.Sas, index, start, signals, progress, cancellationToken)));

            var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
            var devicesLine = count < devices ? $"{count} devices (only {patients.Count} patients)" : $"{count} devices";
            return (registered.Select(d => d.Device).ToList(), string.Create(CultureInfo.InvariantCulture,
                $"{devicesLine} registered; {acks.Sum(a => a.Accepted):N0} readings acknowledged as stored ({acks.Sum(a => a.Duplicates):N0} duplicates) " +
                $"in {acks.Sum(a => a.Batches)} batches, {seconds:0.0} s; heart rate shaped after {signals.Source}"));
        });
    }

    private static async Task<(DemoDevice Device, string Sas)> RegisterAsync(DemoApi api, string deviceId, string patientId, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new
        {
            deviceId,
            patient = $"Patient/{patientId}",
            type = new { coding = new[] { new { system = "http://snomed.info/sct", code = "706767009", display = "Patient data recorder" } } },
        });
        var response = await api.Hospital.CallAsync(HttpMethod.Post, "devices", body, $"Registering {deviceId}", cancellationToken, HttpStatusCode.Created);
        var registration = await response.ReadJsonAsync(cancellationToken);
        var key = Convert.FromBase64String(registration.GetProperty("primaryKey").GetString()!);
        var sas = SharedAccessSignature.Build(registration.GetProperty("hostName").GetString()!, deviceId, key, DateTimeOffset.UtcNow.AddHours(2));
        return (new DemoDevice(deviceId, patientId), sas);
    }

    private static async Task<(int Accepted, int Duplicates, int Batches)> StreamAsync(DemoApi api, string deviceId, string sas, int index,
        DateTimeOffset start, WearableSignals signals, StepProgress progress, CancellationToken cancellationToken)
    {
        var client = new TelemetryIngest.TelemetryIngestClient(api.Grpc);
        try
        {
            using var call = client.Stream(new Metadata { { "authorization", sas } }, cancellationToken: cancellationToken);
            var receiving = ReceiveAcksAsync(call.ResponseStream, deviceId, progress, cancellationToken);
            try
            {
                for (var hour = 0; hour < Hours; hour++)
                {
                    await call.RequestStream.WriteAsync(Batch(deviceId, index, hour, start, signals), cancellationToken);
                }

                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // The gateway ended the call: its status (on the response side) says why better than the failed write.
                await receiving;
                throw;
            }
            var (accepted, duplicates, batches) = await receiving;
            if (batches != Hours)
            {
                throw new DemoFailedException($"Streaming {deviceId}: {batches} of {Hours} batches were acknowledged.");
            }

            return (accepted, duplicates, batches);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw new DemoFailedException($"Streaming {deviceId} over gRPC: {e.StatusCode} {e.Status.Detail}", e);
        }
    }

    private static async Task<(int Accepted, int Duplicates, int Batches)> ReceiveAcksAsync(IAsyncStreamReader<IngestAck> acks, string deviceId,
        StepProgress progress, CancellationToken cancellationToken)
    {
        int accepted = 0, duplicates = 0, batches = 0;
        while (await acks.MoveNext(cancellationToken))
        {
            var ack = acks.Current;
            var expected = BatchId(batches);
            if (ack.BatchId != expected)
            {
                throw new DemoFailedException($"Streaming {deviceId}: expected the ack of batch {expected}, got {ack.BatchId}.");
            }

            if (ack.Rejected.Count > 0)
            {
                throw new DemoFailedException($"Streaming {deviceId}: {ack.Rejected.Count} reading(s) of batch {ack.BatchId} refused, e.g. {ack.Rejected[0].Reason}");
            }

            if (ack.Accepted + ack.Duplicates != MinutesPerBatch * ReadingsPerMinute)
            {
                throw new DemoFailedException($"Streaming {deviceId}: batch {ack.BatchId} acknowledged {ack.Accepted + ack.Duplicates} of {MinutesPerBatch * ReadingsPerMinute} readings.");
            }

            accepted += ack.Accepted;
            duplicates += ack.Duplicates;
            batches++;
            progress.Advance(ack.Accepted + ack.Duplicates);
        }

        return (accepted, duplicates, batches);
    }

    /// <summary>One hour of one device: a heart-rate and an SpO2 reading per minute, message ids unique per device.</summary>
    private static TelemetryBatch Batch(string deviceId, int device, int hour, DateTimeOffset start, WearableSignals signals)
    {
        var batch = new TelemetryBatch { BatchId = BatchId(hour) };
        for (var m = hour * MinutesPerBatch; m < (hour + 1) * MinutesPerBatch; m++)
        {
            var time = start.AddMinutes(m);
            var stamp = Timestamp.FromDateTimeOffset(time);
            batch.Messages.Add(Reading(deviceId, $"hr-{m}", "heartrate", signals.HeartRate(device, time), stamp));
            batch.Messages.Add(Reading(deviceId, $"spo2-{m}", "spo2", WearableSignals.SpO2(device, time), stamp));
        }

        return batch;
    }

    private static TelemetryMessage Reading(string deviceId, string messageId, string type, double value, Timestamp time) => new()
    {
        DeviceId = deviceId,
        MessageId = messageId,
        EnqueuedTime = time,
        Measurements = new Measurements { Items = { new Measurement { Type = type, Value = value, Time = time } } },
    };

    private static string BatchId(int hour) => $"hour-{hour.ToString("00", CultureInfo.InvariantCulture)}";
}
