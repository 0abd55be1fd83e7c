using System.Globalization;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>
/// Facts that a store packing readings into blocks (SQLite: one block per device, hour and commit) could get wrong:
/// times out of order across blocks and hours, pages ending inside a block or at an hour boundary, one append with
/// more readings than a block holds, messages spanning a day, duplicates in and across appends. Expected orders are
/// computed here from what was appended, by sorting on (time, append position).
/// </summary>
public abstract partial class TelemetryStoreContract
{
    [Fact]
    public async Task Query_TimesOutOfOrderAcrossAppendsAndHours_TimeOrderTiesInAppendOrder()
    {
        // (message, minutes after T0): jumps back and forth over hour boundaries, with equal times in different appends.
        (string Id, int Minute)[][] appends =
        [
            [("a1", 130), ("a2", 10), ("a3", 61)],
            [("b1", 59), ("b2", 130), ("b3", 10)],
            [("c1", -30), ("c2", 61), ("c3", 200)],
        ];
        foreach (var append in appends)
        {
            await Store.AppendAsync([.. append.Select(m => Message("dev-1", m.Id, ("hr", T0.AddMinutes(m.Minute), m.Id)))], CancellationToken.None);
        }

        var expected = appends.SelectMany(a => a).Select((m, position) => (m.Id, m.Minute, position))
            .OrderBy(m => m.Minute).ThenBy(m => m.position).Select(m => m.Id).ToList();

        foreach (var pageSize in new[] { 1, 2, 4, 100 })
        {
            Assert.Equal(expected, (await AllAsync("dev-1", pageSize: pageSize)).Select(r => r.MessageId));
        }
    }

    [Fact]
    public async Task Query_RangeAndPagesAcrossHourBoundaries_EveryReadingInRangeOnce()
    {
        // One reading every 7 minutes for 10 hours, in appends of 13 messages; two types alternate.
        var readings = Enumerable.Range(0, 86).Select(i => (Id: $"m{i}", Time: T0.AddMinutes(i * 7), Type: i % 2 == 0 ? "hr" : "spo2")).ToList();
        foreach (var chunk in readings.Chunk(13))
        {
            await Store.AppendAsync([.. chunk.Select(r => Message("dev-1", r.Id, (r.Type, r.Time, r.Id)))], CancellationToken.None);
        }

        var from = T0.AddMinutes(55);
        var to = T0.AddHours(6).AddMinutes(3);
        var expected = readings.Where(r => r.Time >= from && r.Time < to).Select(r => r.Id).ToList();
        var expectedHr = readings.Where(r => r.Time >= from && r.Time < to && r.Type == "hr").Select(r => r.Id).ToList();

        foreach (var pageSize in new[] { 1, 3, 8, 1000 })
        {
            Assert.Equal(expected, (await AllAsync("dev-1", from: from, to: to, pageSize: pageSize)).Select(r => r.MessageId));
            Assert.Equal(expectedHr, (await AllAsync("dev-1", "hr", from, to, pageSize)).Select(r => r.MessageId));
        }
    }

    [Fact]
    public async Task Append_ThousandsOfMessagesOfSeveralDevicesInOneCall_EachStoredOnceAndReadBackOnce()
    {
        // More readings of one device and hour than one SQLite block holds, devices interleaved message by message.
        var records = Enumerable.Range(0, 7_000)
            .Select(i => Message($"dev-{i % 3}", $"m{i}", ("hr", T0.AddMilliseconds(i * 100), i.ToString(CultureInfo.InvariantCulture))))
            .ToList();

        var stored = await Store.AppendAsync(records, CancellationToken.None);
        var all = await ReadAllAfterAsync(0, 1_000);

        Assert.All(stored, Assert.True);
        Assert.Equal(7_000, all.Count);
        Assert.Equal(all.Select(r => r.Sequence).Order(), all.Select(r => r.Sequence));
        Assert.Equal(records.Select(r => (r.DeviceId, r.MessageId)).Order(), all.Select(r => (r.DeviceId, r.MessageId)).Order());
        foreach (var device in new[] { "dev-0", "dev-1", "dev-2" })
        {
            var expected = records.Where(r => r.DeviceId == device).Select(r => r.MessageId);
            Assert.Equal(expected, (await AllAsync(device, pageSize: 999)).Select(r => r.MessageId));
        }
    }

    [Fact]
    public async Task Append_DayOfMinuteReadingsInOneMessage_QueryableByRangeAndReadAfterInSmallSteps()
    {
        // A Fitbit-style day: 1,440 readings in one message, starting mid-hour so it spans 25 UTC hours.
        var start = T0.AddMinutes(30);
        var day = new TelemetryRecord("dev-1", "day-1", T0, T0, default,
            [.. Enumerable.Range(0, 1_440).Select(i => new NormalizedReading("steps", start.AddMinutes(i), [new ReadingValue("steps", i.ToString(CultureInfo.InvariantCulture))]))]);

        var first = await Store.AppendAsync([day], CancellationToken.None);
        var again = await Store.AppendAsync([day, Message("dev-1", "after", ("steps", start, "late"))], CancellationToken.None);
        Assert.Equal([true], first);
        Assert.Equal([false, true], again);

        var morning = await AllAsync("dev-1", "steps", T0.AddHours(5).AddMinutes(10), T0.AddHours(7).AddMinutes(50), pageSize: 17);
        Assert.Equal(Enumerable.Range(280, 160).Select(i => i.ToString(CultureInfo.InvariantCulture)), morning.Select(r => r.Reading.Values[0].Value));

        var whole = await AllAsync("dev-1", pageSize: 100);
        Assert.Equal(["0", "late", "1"], whole.Take(3).Select(r => r.Reading.Values[0].Value));
        Assert.Equal(1_441, whole.Count);

        var stepped = await ReadAllAfterAsync(0, 7);
        Assert.Equal(1_441, stepped.Count);
        Assert.Equal(1_441, stepped.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal([.. Enumerable.Range(0, 1_440).Select(i => i.ToString(CultureInfo.InvariantCulture)), "late"],
            stepped.Select(r => r.Reading.Values[0].Value));
    }

    [Fact]
    public async Task Append_DuplicatesWithinAndAcrossAppends_EachMessageStoredOnce()
    {
        var first = await Store.AppendAsync(
        [
            Message("dev-1", "m1", ("hr", T0, "1")),
            Message("dev-2", "m1", ("hr", T0, "2")),
            Message("dev-1", "m1", ("hr", T0, "1-again")),
            Message("dev-1", "m2", ("hr", T0.AddHours(3), "3")),
        ], CancellationToken.None);
        var second = await Store.AppendAsync(
        [
            Message("dev-1", "m2", ("hr", T0.AddHours(3), "3-again")),
            Message("dev-1", "m3", ("hr", T0, "4")),
            Message("dev-2", "m1", ("hr", T0, "2-again")),
            Message("dev-2", "m3", ("hr", T0, "5")),
            Message("dev-2", "m3", ("hr", T0, "5-again")),
        ], CancellationToken.None);

        Assert.Equal([true, true, false, true], first);
        Assert.Equal([false, true, false, true, false], second);
        Assert.Equal(["1", "2", "3", "4", "5"], (await ReadAllAfterAsync(0, 2)).Select(r => r.Reading.Values[0].Value).Order());
        Assert.Equal(["1", "4", "3"], (await AllAsync("dev-1")).Select(r => r.Reading.Values[0].Value));
    }

    internal async Task<List<StoredReading>> ReadAllAfterAsync(long after, int limit)
    {
        var all = new List<StoredReading>();
        while (true)
        {
            var page = await Store.ReadAfterAsync(after, limit, CancellationToken.None);
            Assert.True(page.Count <= limit);
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
            after = page[^1].Sequence;
        }
    }
}
