using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Storage.Telemetry;

namespace HealthDataSpace.Storage.Tests.Telemetry;

public abstract partial class TelemetryStoreContract
{
    /// <summary>
    /// The research feeder on the real store: every reading reaches its patient's day aggregates through the real
    /// registry, and a row whose stored values were corrupted outside the gateway is stepped over — the real store's
    /// decoding error is told apart from a database failure — instead of stopping the feed.
    /// </summary>
    [Fact]
    public async Task ResearchFeeder_CorruptStoredRow_SteppedOver_OtherReadingsCounted()
    {
        await Registry.TryAddAsync(new DeviceRegistration("dev-1", "Patient/p1", "d1", null, "hospital-a", false, null, T0, null, [1]),
            CancellationToken.None);
        for (var i = 1; i <= 5; i++)
        {
            await Store.AppendAsync([new TelemetryRecord("dev-1", $"m{i}", T0, T0, "{}"u8.ToArray(),
                [new NormalizedReading("heartrate", T0, [new ReadingValue("hr", (60 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))])])],
                CancellationToken.None);
        }

        var all = await Store.ReadAfterAsync(0, 10, CancellationToken.None);
        await CorruptStoredValuesAsync(all[2].Sequence);

        using var index = new ResearchIndex();
        var feeder = new TelemetryDaysFeeder(Store, Registry, index, TimeProvider.System, TimeSpan.FromSeconds(30));

        var step = await feeder.LoadAsync(CancellationToken.None);

        var day = Assert.Single(index.DaysOf("p1"));
        Assert.Equal((4, (61 + 62 + 64 + 65) / 4.0), (day.Count, day.Mean));
        Assert.Equal(4, step.Readings);
        Assert.Equal(1, step.UnreadableStretches);
        Assert.Equal(all[^1].Sequence, feeder.Position);
    }
}
