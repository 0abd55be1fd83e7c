using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using HealthDataSpace.Gateway.Tests.Telemetry.Doubles;
using HealthDataSpace.Storage.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using static HealthDataSpace.Gateway.Tests.Telemetry.MqttTestClient;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>
/// Several QoS 1 publishes of one connection in flight at once, over a store the test holds shut: the gateway takes in
/// the next publishes while the first commit waits, and still sends no PUBACK before its message is durable — nor
/// ever, when the commit fails.
/// </summary>
public sealed class MqttPipelineTests : IDisposable
{
    private readonly TestIdentityProvider identity = new();
    private readonly GatewayFactory gateway;
    private GatedTelemetryStore? gated;

    public MqttPipelineTests()
    {
        gateway = new GatewayFactory(identity).WithServices(services => services.AddSingleton<ITelemetryStore>(sp =>
            gated = new GatedTelemetryStore(sp.GetRequiredService<TelemetryStorage>().Store)));
    }

    [Fact]
    public async Task Publish_ThreeInFlightStoreStalled_AllTakenInNoPubAckUntilDurable_ThenAllStoredOnce()
    {
        var device = await RegisterAsync(gateway, await CreatePatientAsync(gateway));
        using var client = await ConnectAsync(gateway, device);

        var publishes = Enumerable.Range(0, 3).Select(i => client.PublishAsync(HeartRate(device.DeviceId, $"p{i}", 70 + i, i))).ToList();
        // All three reach the writer (one in the stalled commit, the rest queued behind it): with one publish in flight
        // per connection the second would never be read before the first PUBACK, and this would time out.
        await WaitUntilAsync(() => gated!.RecordsWaiting + Writer.QueuedBatches == 3);
        var ackedWhileStalled = publishes.Count(p => p.IsCompleted);

        gated!.Open();
        var results = await Task.WhenAll(publishes);
        var readings = await ReadingsAsync(gateway, device.DeviceId);

        Assert.Equal(0, ackedWhileStalled);
        Assert.All(results, r => Assert.True(r.IsSuccess));
        Assert.Equal(["p0", "p1", "p2"], readings.Select(r => r.GetProperty("messageId").GetString()));
    }

    [Fact]
    public async Task Publish_CommitFails_NoPubAckAndConnectionClosed()
    {
        var device = await RegisterAsync(gateway, await CreatePatientAsync(gateway));
        using var client = await ConnectAsync(gateway, device);
        var disconnected = DisconnectedAsync(client);

        var publishes = Enumerable.Range(0, 2).Select(i => client.PublishAsync(HeartRate(device.DeviceId, $"f{i}", 80 + i, i))).ToList();
        await WaitUntilAsync(() => gated!.RecordsWaiting + Writer.QueuedBatches == 2);
        gated!.Fail();

        var outcomes = await Task.WhenAll(publishes.Select(OutcomeAsync));

        await disconnected.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["no PUBACK", "no PUBACK"], outcomes);
        Assert.False(client.IsConnected);
        Assert.Empty(await ReadingsAsync(gateway, device.DeviceId));
    }

    public void Dispose()
    {
        gated?.Open();
        gateway.Dispose();
        identity.Dispose();
    }

    private TelemetryWriter Writer => gateway.Services.GetRequiredService<TelemetryWriter>();

    private static MqttApplicationMessage HeartRate(string deviceId, string messageId, int value, int minute) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(EventsTopic(deviceId, $"%24.mid={messageId}"))
            .WithPayload($"{{\"heartRate\":{value},\"endDate\":\"2024-03-01T08:{minute:00}:00Z\"}}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

    private static async Task<string> OutcomeAsync(Task<MqttClientPublishResult> publish)
    {
        try
        {
            return $"PUBACK {(await publish).ReasonCode}";
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
        {
            return "no PUBACK";
        }
    }
}
