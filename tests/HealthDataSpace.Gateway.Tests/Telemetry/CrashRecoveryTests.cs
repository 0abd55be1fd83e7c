using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using Hl7.Fhir.Model;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>
/// The durability promise, tested the hard way: the gateway runs as its own OS process, acknowledges streamed batches,
/// is killed with SIGKILL mid-stream, restarts on the same data folder, and must return every acknowledged reading,
/// exactly once.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int MessagesPerBatch = 50;
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string dataPath = Directory.CreateTempSubdirectory("hds-kill9-").FullName;

    [Fact]
    public async Task Stream_KilledAfterAcks_RestartedGatewayHasEveryAckedReadingOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var gatewayDll = GatewayProcess.LocateBuiltGateway();
        DeviceCredentials device;
        var acked = new List<string>();
        await using (var first = await GatewayProcess.StartAsync(gatewayDll, timeout.Token, dataPath))
        {
            device = await RegisterOverHttpAsync(first);
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            using var call = new TelemetryIngest.TelemetryIngestClient(channel).Stream(SasHeaders(device.Sas()), cancellationToken: timeout.Token);
            using var stopSending = new CancellationTokenSource();
            var sending = SendUntilStoppedAsync(call.RequestStream, device.DeviceId, stopSending.Token);

            while (acked.Count < 40 && await call.ResponseStream.MoveNext(timeout.Token))
            {
                Assert.Equal(MessagesPerBatch, call.ResponseStream.Current.Accepted);
                acked.Add(call.ResponseStream.Current.BatchId);
            }

            // Killed while batches are still in flight: some are durable and unacknowledged, some not stored at all.
            await first.KillAsync();
            await stopSending.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
        }

        await using var second = await GatewayProcess.StartAsync(gatewayDll, timeout.Token, dataPath);
        using var hospital = second.CreateClient(GatewayRoles.Hospital, "hospital-a");
        var messageIds = await AllMessageIdsAsync(hospital, device.DeviceId);

        Assert.Equal(40, acked.Count);
        var expected = acked.SelectMany(b => Enumerable.Range(0, MessagesPerBatch).Select(i => $"{b}-m{i}")).ToList();
        Assert.All(expected, id => Assert.Contains(id, messageIds));
        Assert.Equal(messageIds.Count, messageIds.Distinct().Count());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(dataPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static async Task SendUntilStoppedAsync(IClientStreamWriter<TelemetryBatch> requests, string deviceId, CancellationToken stop)
    {
        for (var b = 0; ; b++)
        {
            stop.ThrowIfCancellationRequested();
            var messages = Enumerable.Range(0, MessagesPerBatch)
                .Select(i => Measurement(deviceId, $"b{b}-m{i}", "heartrate", 60 + (i % 40), T0.AddSeconds((b * MessagesPerBatch) + i)))
                .ToArray();
            await requests.WriteAsync(Batch($"b{b}", messages), stop);
        }
    }

    private static async Task<DeviceCredentials> RegisterOverHttpAsync(GatewayProcess gateway)
    {
        using var hospital = gateway.CreateClient(GatewayRoles.Hospital, "hospital-a");
        using var created = await hospital.PostAsync(new Uri("fhir/Patient", UriKind.Relative),
            FhirClient.Body(FhirClient.Patient("Crash", Guid.NewGuid().ToString("N"))));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var patient = await created.ReadAsync<Patient>();
        using var registered = await hospital.PostAsJsonAsync(new Uri("devices", UriKind.Relative),
            new { deviceId = NewDeviceId("kill9"), patient = $"Patient/{patient.Id}" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await registered.Content.ReadFromJsonAsync<DeviceCredentials>(Json))!;
    }

    private static async Task<List<string>> AllMessageIdsAsync(HttpClient client, string deviceId)
    {
        var ids = new List<string>();
        string? next = $"telemetry/{deviceId}?_count=5000";
        while (next is not null)
        {
            using var response = await client.GetAsync(new Uri(next.TrimStart('/'), UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            ids.AddRange(page.RootElement.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("messageId").GetString()!));
            var link = page.RootElement.GetProperty("next");
            next = link.ValueKind == JsonValueKind.Null ? null : link.GetString();
        }

        return ids;
    }
}
