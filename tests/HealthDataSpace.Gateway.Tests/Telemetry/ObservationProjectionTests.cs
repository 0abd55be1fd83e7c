using System.Net;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Projection;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using HealthDataSpace.Gateway.Tests.Telemetry.Doubles;
using Hl7.Fhir.Model;
using HealthDataSpace.Gateway.Features.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>Stored readings become Observations on the device's patient, once, and a replay after a restart counts nothing twice.</summary>
public sealed class ObservationProjectionTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TestIdentityProvider identity = new();
    private readonly GatewayFactory gateway;

    public ObservationProjectionTests()
    {
        gateway = new GatewayFactory(identity).WithServices(services =>
        {
            services.AddSingleton<ITelemetryObservationMapper, HourlyCountingObservationMapper>();
            // The test drives the projector itself, step by step; the background service would race it.
            var background = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ObservationProjectionService));
            services.Remove(background);
        });
    }

    [Fact]
    public async Task Project_ReadingsOfTwoHours_ObservationsOnPatientWithDevice_ReplayCountsNothingTwice()
    {
        var patient = await CreatePatientAsync(gateway);
        var device = await RegisterAsync(gateway, patient);
        using var channel = Channel(gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        for (var b = 0; b < 3; b++)
        {
            // 3 batches x 40 minute-readings from 08:00: 60 in each of two hours, the middle batch spanning both.
            var messages = Enumerable.Range(0, 40).Select(i => Measurement(device.DeviceId, $"b{b}-m{i}", "heartrate", 70, T0.AddMinutes((b * 40) + i))).ToArray();
            await client.SendAsync(Batch($"b{b}", messages), SasHeaders(device.Sas()));
        }

        var projector = gateway.Services.GetRequiredService<TelemetryObservationProjector>();
        var store = gateway.Services.GetRequiredService<ITelemetryStore>();
        // A first run stops after 50 readings: the 08:00 Observation holds 50 of its 60.
        await projector.ProjectNextAsync(50, CancellationToken.None);
        var partly = await CountsAsync(patient);

        // The gateway stopped before saving the checkpoint; after the restart one step reads all 120 readings.
        await store.SetCheckpointAsync(TelemetryObservationProjector.Consumer, 0, CancellationToken.None);
        await CatchUpAsync(projector, 200);
        var counted = await CountsAsync(patient);

        // And once more from the start in small steps: every reading is already folded in.
        await store.SetCheckpointAsync(TelemetryObservationProjector.Consumer, 0, CancellationToken.None);
        await CatchUpAsync(projector, 30);
        var replayed = await CountsAsync(patient);

        Assert.Equal([50m], partly.Select(c => c.Count));
        Assert.Equal([60m, 60m], counted.Select(c => c.Count));
        Assert.All(counted, c => Assert.Equal(device.Device, c.Device));
        Assert.Equal(counted, replayed);
    }

    public void Dispose()
    {
        gateway.Dispose();
        identity.Dispose();
    }

    private static async Task CatchUpAsync(TelemetryObservationProjector projector, int step)
    {
        while ((await projector.ProjectNextAsync(step, CancellationToken.None)).Readings > 0)
        {
        }
    }

    private async Task<List<(decimal Count, string Device)>> CountsAsync(string patient)
    {
        using var hospital = gateway.CreateClientFor(GatewayRoles.Hospital);
        using var response = await hospital.GetAsync($"/fhir/Observation?subject={patient}&_count=100");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await response.ReadAsync<Bundle>();
        return [.. bundle.Entry.Select(e => (Observation)e.Resource)
            .OrderBy(o => ((Period)o.Effective).Start, StringComparer.Ordinal)
            .Select(o => (((Quantity)o.Value).Value ?? 0, o.Device.Reference ?? string.Empty))];
    }
}
