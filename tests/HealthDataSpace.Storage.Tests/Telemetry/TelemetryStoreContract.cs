using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Storage.Telemetry;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>
/// The telemetry store and device registry contract: SQLite and PostgreSQL must behave identically. Each backend's
/// class supplies fresh, empty storage; the facts live here and in the partial file beside this one.
/// </summary>
public abstract partial class TelemetryStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private TelemetryStorage? storage;

    internal ITelemetryStore Store => (storage ?? throw new InvalidOperationException("Not initialised.")).Store;

    internal IDeviceRegistry Registry => storage!.Registry;

    public async Task InitializeAsync()
    {
        storage = await CreateStorageAsync();
        await storage.Store.InitializeAsync(CancellationToken.None);
        // Initialising twice must be harmless: every gateway start does it.
        await storage.Store.InitializeAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        if (storage?.Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    internal abstract Task<TelemetryStorage> CreateStorageAsync();

    /// <summary>Damages the stored values of the reading with this sequence, as a fault outside the gateway would.</summary>
    internal abstract Task CorruptStoredValuesAsync(long sequence);

    /// <summary>Runs a statement with parameter <c>@seq</c> on the store's database, as an outside fault would; asserts one row changed.</summary>
    internal async Task ChangeOneRowAsync(string sql, long sequence)
    {
        await using var connection = await ((SqlTelemetryStore)Store).OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        SqlTelemetryStore.Add(command, "@seq", sequence);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    internal static TelemetryRecord Message(string device, string messageId, params (string Type, DateTimeOffset Time, string Value)[] readings) =>
        new(device, messageId, T0, T0, "{\"raw\":true}"u8.ToArray(),
            [.. readings.Select(r => new NormalizedReading(r.Type, r.Time, [new ReadingValue("value", r.Value)]))]);

    internal async Task<List<StoredReading>> AllAsync(string device, string? type = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int pageSize = 1000)
    {
        var all = new List<StoredReading>();
        ReadingCursor? after = null;
        do
        {
            var page = await Store.QueryAsync(new ReadingQuery(device, type, from, to, after, pageSize), CancellationToken.None);
            all.AddRange(page.Readings);
            after = page.Next;
        }
        while (after is not null);

        return all;
    }

    [Fact]
    public async Task Append_NewMessages_ReadingsQueryableInTimeOrder()
    {
        var stored = await Store.AppendAsync(
        [
            Message("dev-1", "m1", ("heartrate", T0.AddMinutes(2), "72"), ("spo2", T0.AddMinutes(2), "97")),
            Message("dev-1", "m2", ("heartrate", T0.AddMinutes(1), "70")),
            Message("dev-2", "m1", ("heartrate", T0, "88")),
        ], CancellationToken.None);

        var readings = await AllAsync("dev-1");

        Assert.Equal([true, true, true], stored);
        Assert.Equal(["70", "72", "97"], readings.Select(r => r.Reading.Values[0].Value));
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(2)], readings.Select(r => r.Reading.OccurrenceTime));
        Assert.Equal(["m2", "m1", "m1"], readings.Select(r => r.MessageId));
        Assert.All(readings, r => Assert.Equal("dev-1", r.DeviceId));
    }

    [Fact]
    public async Task Append_RetriedMessage_CountsAsDuplicateAndStoresNothing()
    {
        await Store.AppendAsync([Message("dev-1", "m1", ("heartrate", T0, "72"))], CancellationToken.None);

        var retry = await Store.AppendAsync(
            [Message("dev-1", "m1", ("heartrate", T0, "72")), Message("dev-1", "m2", ("heartrate", T0.AddSeconds(5), "73"))],
            CancellationToken.None);

        Assert.Equal([false, true], retry);
        Assert.Equal(["72", "73"], (await AllAsync("dev-1")).Select(r => r.Reading.Values[0].Value));
    }

    [Fact]
    public async Task Append_SameMessageTwiceInOneCall_OnlyFirstStored()
    {
        var stored = await Store.AppendAsync(
        [
            Message("dev-1", "m1", ("heartrate", T0, "72")),
            Message("dev-1", "m1", ("heartrate", T0, "99")),
            Message("dev-2", "m1", ("heartrate", T0, "60")),
        ], CancellationToken.None);

        Assert.Equal([true, false, true], stored);
        Assert.Equal(["72"], (await AllAsync("dev-1")).Select(r => r.Reading.Values[0].Value));
    }

    [Fact]
    public async Task Query_TypeAndRange_FromInclusiveToExclusive()
    {
        await Store.AppendAsync(
        [
            Message("dev-1", "m1", ("heartrate", T0, "1"), ("spo2", T0, "96")),
            Message("dev-1", "m2", ("heartrate", T0.AddMinutes(1), "2")),
            Message("dev-1", "m3", ("heartrate", T0.AddMinutes(2), "3")),
        ], CancellationToken.None);

        var readings = await AllAsync("dev-1", "heartrate", T0.AddMinutes(1), T0.AddMinutes(2));

        Assert.Equal(["2"], readings.Select(r => r.Reading.Values[0].Value));
    }

    [Fact]
    public async Task Query_SmallPagesAndEqualTimes_EveryReadingExactlyOnceInOrder()
    {
        var records = Enumerable.Range(0, 37)
            .Select(i => Message("dev-1", $"m{i}", ("steps", T0.AddMinutes(i / 4), i.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .Reverse()
            .ToList();
        await Store.AppendAsync(records, CancellationToken.None);

        var readings = await AllAsync("dev-1", pageSize: 5);

        Assert.Equal(37, readings.Count);
        Assert.Equal(37, readings.Select(r => r.Sequence).Distinct().Count());
        Assert.True(readings.Zip(readings.Skip(1)).All(p =>
            p.First.Reading.OccurrenceTime < p.Second.Reading.OccurrenceTime
            || (p.First.Reading.OccurrenceTime == p.Second.Reading.OccurrenceTime && p.First.Sequence < p.Second.Sequence)));
    }

    [Fact]
    public async Task Query_ValuesAndCorrelation_RoundTrip()
    {
        var reading = new NormalizedReading("bloodpressure", T0.AddTicks(10), [new ReadingValue("systolic", "120"), new ReadingValue("diastolic", "80")], "corr-1");
        await Store.AppendAsync([new TelemetryRecord("dev-1", "bp-1", T0, T0, default, [reading])], CancellationToken.None);

        var stored = Assert.Single(await AllAsync("dev-1")).Reading;

        Assert.Equal("bloodpressure", stored.Type);
        Assert.Equal(T0.AddTicks(10), stored.OccurrenceTime);
        Assert.Equal([new ReadingValue("systolic", "120"), new ReadingValue("diastolic", "80")], stored.Values);
        Assert.Equal("corr-1", stored.CorrelationId);
    }
}
