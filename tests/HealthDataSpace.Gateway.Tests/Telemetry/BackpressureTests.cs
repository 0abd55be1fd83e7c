using Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using HealthDataSpace.Gateway.Tests.Telemetry.Doubles;
using HealthDataSpace.Storage.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>A store that cannot keep up: the queue fills, and the next batch is answered RESOURCE_EXHAUSTED, not buffered.</summary>
public sealed class BackpressureTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TestIdentityProvider identity = new();
    private readonly GatewayFactory gateway;
    private GatedTelemetryStore? gated;

    public BackpressureTests()
    {
        gateway = new GatewayFactory(identity, new Dictionary<string, string?>
        {
            ["Telemetry:QueueCapacity"] = "1",
            ["Telemetry:QueueTimeout"] = "00:00:00.200",
        }).WithServices(services => services.AddSingleton<ITelemetryStore>(sp =>
            gated = new GatedTelemetryStore(sp.GetRequiredService<TelemetryStorage>().Store)));
    }

    [Fact]
    public async Task Send_StoreStalledAndQueueFull_ResourceExhaustedThenRecovers()
    {
        var device = await RegisterAsync(gateway, await CreatePatientAsync(gateway));
        using var channel = Channel(gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        TelemetryBatch Numbered(int n) => Batch($"b{n}", Measurement(device.DeviceId, $"m{n}", "heartrate", 60 + n, T0.AddMinutes(n)));

        // The first batch is taken by the writer and stalls in the store; of the next two, one gets the only queue slot
        // and the other waits in vain for room.
        var stalled = client.SendAsync(Numbered(1), SasHeaders(device.Sas())).ResponseAsync;
        await WaitUntilAsync(() => gated!.Waiting == 1);
        var second = client.SendAsync(Numbered(2), SasHeaders(device.Sas())).ResponseAsync;
        var third = client.SendAsync(Numbered(3), SasHeaders(device.Sas())).ResponseAsync;
        var firstDone = await Task.WhenAny(second, third);
        var refused = await Assert.ThrowsAsync<RpcException>(() => firstDone);

        gated!.Open();
        var queued = firstDone == second ? third : second;
        var acks = await Task.WhenAll(stalled, queued);
        var afterwards = await client.SendAsync(Numbered(4), SasHeaders(device.Sas()));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("overloaded", refused.Status.Detail, StringComparison.Ordinal);
        Assert.All(acks, a => Assert.Equal(1, a.Accepted));
        Assert.Equal(1, afterwards.Accepted);
        var queuedId = firstDone == second ? "m3" : "m2";
        Assert.Equal(["m1", queuedId, "m4"], (await ReadingsAsync(gateway, device.DeviceId)).Select(r => r.GetProperty("messageId").GetString()).Order());
    }

    public void Dispose()
    {
        gated?.Open();
        gateway.Dispose();
        identity.Dispose();
    }
}
