using System.Data.Common;
using HealthDataSpace.Core.Research.Cohorts;

namespace HealthDataSpace.Core.Tests.Research;

/// <summary>
/// The feeder from the telemetry store into the day aggregates: readings attributed through the device registry,
/// mapped by the type table, each counted once across passes and pages; unknown devices, non-numbers and undecodable
/// rows skipped without stopping the feed; a database outage neither skips nor repeats anything.
/// </summary>
public sealed class TelemetryDaysFeederTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly ReadingsInMemory store = new();
    private readonly RegistrationsInMemory registry = new();
    private readonly ResearchIndex index = new();
    private readonly ManualTime time = new();
    private readonly TelemetryDaysFeeder feeder;

    public TelemetryDaysFeederTests() => feeder = new TelemetryDaysFeeder(store, registry, index, time, CacheLifetime);

    public void Dispose() => index.Dispose();

    private List<(string Type, int Count, double Min, double Max, double Mean)> Days(string patient) =>
        [.. index.DaysOf(patient).Select(d => (d.Type, d.Count, d.Min, d.Max, d.Mean))];

    /// <summary>Device watch-a of patient a, one heart-rate reading of 70 loaded.</summary>
    private async Task LoadOneReadingAsync()
    {
        registry.Register("watch-a", "a");
        store.Add(1, "watch-a", "heartrate", T0, ("hr", "70"));
        await feeder.LoadAsync(CancellationToken.None);
    }

    [Fact]
    public async Task CatchUp_Readings_FoldedIntoTheirDevicesPatients_ByTypeTable()
    {
        registry.Register("watch-a", "a");
        registry.Register("cuff-b", "b", revokedAt: T0.AddDays(-1));
        store.Add(1, "watch-a", "heartrate", T0, ("hr", "70"));
        store.Add(2, "watch-a", "heartrate", T0.AddHours(1), ("hr", "90.5"));
        store.Add(3, "cuff-b", "bloodpressure", T0, ("systolic", "120"), ("diastolic", "80"));
        store.Add(4, "watch-a", "stepsdaily", T0, ("steps", "9000"));
        store.Add(5, "watch-a", "glucose", T0, ("value", "5.5"));
        store.Add(6, "watch-a", "heartrate", T0, ("hr", "fast"));
        store.Add(7, "watch-a", "HeartRate", T0, ("HR", "NaN"));
        store.Add(8, "unregistered", "heartrate", T0, ("hr", "60"));
        store.Add(9, "unregistered", "spo2", T0, ("spo2", "97"));

        var step = await feeder.LoadAsync(CancellationToken.None);

        Assert.Equal([("heart-rate", 2, 70, 90.5, 80.25)], Days("a"));
        Assert.Equal([("systolic-blood-pressure", 1, 120, 120, 120), ("diastolic-blood-pressure", 1, 80, 80, 80)], Days("b"));
        Assert.Equal(new TelemetryFeedStep(Readings: 9, Values: 4, UnknownDevice: 2, NotNumbers: 2, UnreadableStretches: 0), step);
        Assert.Equal(9, feeder.Position);
    }

    [Fact]
    public async Task Load_TwoDevicesOfOnePatientInterleavedAcrossDays_EachDayHasEveryValueOnce()
    {
        registry.Register("watch-a", "a");
        registry.Register("ring-a", "a");
        var values = new List<(DateTimeOffset Time, double Value)>();
        for (var i = 0; i < 40; i++)
        {
            // Runs of the same day broken by the other device and by day changes, so runs and merges both happen.
            var time = T0.AddHours(i % 7 == 0 ? 24 : 0).AddMinutes(i);
            double value = 50 + (i * 7 % 31);
            store.Add(i + 1, i % 3 == 0 ? "ring-a" : "watch-a", "heartrate", time, ("hr", value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            values.Add((time, value));
        }

        await feeder.LoadAsync(CancellationToken.None);

        var expected = values.GroupBy(v => v.Time.UtcDateTime.Date).OrderBy(g => g.Key)
            .Select(g => ("heart-rate", g.Count(), g.Min(v => v.Value), g.Max(v => v.Value), g.Average(v => v.Value))).ToList();
        Assert.Equal(expected, Days("a"));
    }

    [Fact]
    public async Task CatchUp_Repeated_NothingCountedTwice_NewReadingsAdded()
    {
        await LoadOneReadingAsync();

        var idle = await feeder.CatchUpAsync(CancellationToken.None);
        store.Add(2, "watch-a", "heartrate", T0, ("hr", "80"));
        store.Add(3, "watch-a", "heartrate", T0.AddDays(-1), ("hr", "50"));
        var next = await feeder.CatchUpAsync(CancellationToken.None);

        Assert.Equal(0, idle.Readings);
        Assert.Equal(2, next.Readings);
        Assert.Equal([("heart-rate", 1, 50, 50, 50), ("heart-rate", 2, 70, 80, 75)], Days("a"));
    }

    [Fact]
    public async Task Load_SeveralPagesWithSequenceGaps_EveryReadingOnce()
    {
        registry.Register("watch-a", "a");
        var expected = 0.0;
        var count = (TelemetryDaysFeeder.PageSize * 2) + 500;
        for (var i = 0; i < count; i++)
        {
            store.Add((i * 3) + 1, "watch-a", "steps", T0.AddMinutes(i % 600), ("steps", (i % 97).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            expected += i % 97;
        }

        var step = await feeder.LoadAsync(CancellationToken.None);

        var day = Assert.Single(index.DaysOf("a"));
        Assert.Equal(count, step.Readings);
        Assert.Equal(count, day.Count);
        Assert.Equal(expected / count, day.Mean, precision: 9);
        Assert.Equal(1, registry.Lookups);
    }

    [Fact]
    public async Task CatchUp_DeviceRegisteredLater_ItsLaterReadingsCount_EarlierOneSkipped()
    {
        store.Add(1, "watch-late", "heartrate", T0, ("hr", "70"));
        var before = await feeder.LoadAsync(CancellationToken.None);
        registry.Register("watch-late", "late");
        store.Add(2, "watch-late", "heartrate", T0, ("hr", "90"));
        var after = await feeder.CatchUpAsync(CancellationToken.None);

        Assert.Equal(1, before.UnknownDevice);
        Assert.Equal(0, after.UnknownDevice);
        Assert.Equal([("heart-rate", 1, 90, 90, 90)], Days("late"));
    }

    [Fact]
    public async Task CatchUp_RegistrationCachedForItsLifetime_ThenLookedUpAgain()
    {
        await LoadOneReadingAsync();
        // Were a registration ever changed in the registry, readings after the cache lifetime follow it; earlier ones stay.
        registry.Register("watch-a", "c");
        store.Add(2, "watch-a", "heartrate", T0, ("hr", "71"));
        await feeder.CatchUpAsync(CancellationToken.None);
        var lookupsWithinLifetime = registry.Lookups;
        time.Advance(CacheLifetime + TimeSpan.FromSeconds(1));
        store.Add(3, "watch-a", "heartrate", T0, ("hr", "72"));
        await feeder.CatchUpAsync(CancellationToken.None);

        Assert.Equal(1, lookupsWithinLifetime);
        Assert.Equal(2, registry.Lookups);
        Assert.Equal([("heart-rate", 2, 70, 71, 70.5)], Days("a"));
        Assert.Equal([("heart-rate", 1, 72, 72, 72)], Days("c"));
    }

    [Fact]
    public async Task Load_UndecodableRows_SteppedOver_EveryOtherReadingCounted()
    {
        registry.Register("watch-a", "a");
        long[] sequences = [1, 2, 3, 7, 8, 9, 40, 41, 60, 90];
        foreach (var sequence in sequences)
        {
            store.Add(sequence, "watch-a", "heartrate", T0, ("hr", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        store.Corrupt.UnionWith([7, 8, 41, 90]);

        var step = await feeder.LoadAsync(CancellationToken.None);

        var day = Assert.Single(index.DaysOf("a"));
        Assert.Equal(6, day.Count);
        Assert.Equal((1 + 2 + 3 + 9 + 40 + 60) / 6.0, day.Mean);
        Assert.Equal(3, step.UnreadableStretches);
        Assert.Equal(90, feeder.Position);
    }

    [Fact]
    public async Task CatchUp_DatabaseDown_Throws_NothingSkipped_NextPassResumes()
    {
        await LoadOneReadingAsync();
        store.Add(2, "watch-a", "heartrate", T0, ("hr", "80"));
        store.Outages = 1;

        await Assert.ThrowsAnyAsync<DbException>(() => feeder.CatchUpAsync(CancellationToken.None));
        var positionAfterOutage = feeder.Position;
        var resumed = await feeder.CatchUpAsync(CancellationToken.None);

        Assert.Equal(1, positionAfterOutage);
        Assert.Equal(1, resumed.Readings);
        Assert.Equal([("heart-rate", 2, 70, 80, 75)], Days("a"));
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
