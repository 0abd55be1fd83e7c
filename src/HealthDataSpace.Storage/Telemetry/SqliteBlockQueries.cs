using HealthDataSpace.Core.Telemetry.Store;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>Reads of the block format (<see cref="SqliteTelemetrySchema"/>) on a pooled read connection.</summary>
internal static class SqliteBlockQueries
{
    /// <summary>
    /// Readings in sequence order after <paramref name="afterSequence"/>: from the block holding the next sequence (the
    /// last one starting at or before it), block by block in rowid order, until <paramref name="limit"/> are taken.
    /// </summary>
    public static IReadOnlyList<StoredReading> ReadAfter(SqliteConnection connection, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        using var blocks = new SqliteRawStatement(connection,
            "SELECT b.first_seq, b.readings, k.device_id, b.data FROM telemetry_blocks b JOIN telemetry_device_keys k ON k.device_key = b.device_key "
            + "WHERE b.first_seq >= coalesce((SELECT first_seq FROM telemetry_blocks WHERE first_seq <= ?1 ORDER BY first_seq DESC LIMIT 1), 0) "
            + "ORDER BY b.first_seq");
        blocks.BindInt64(1, afterSequence);
        var devices = new RepeatingText();
        var readings = new List<StoredReading>(Math.Min(limit, 4096));
        while (readings.Count < limit && blocks.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (first, count) = (blocks.Int64(0), blocks.Int64(1));
            if (first + count - 1 > afterSequence)
            {
                // Not opened when all its readings are at or before the position: a damaged block is then not in the way.
                ReadingBlockReader.Decode(blocks.Bytes(3), first, count, devices.Decode(blocks.Bytes(2)), afterSequence, readings);
            }
        }

        if (readings.Count > limit)
        {
            readings.RemoveRange(limit, readings.Count - limit);
        }

        return readings;
    }

    /// <summary>
    /// A device's readings in (time, sequence) order. Hours are visited in order, since every reading of a later hour is
    /// later; within an hour the overlapping blocks are decoded in order of their earliest time, and once a page's worth
    /// is collected a block starting after the page's last time is not opened.
    /// </summary>
    public static ReadingPage Query(SqliteConnection connection, ReadingQuery query, CancellationToken cancellationToken)
    {
        using var findDevice = new SqliteRawStatement(connection, "SELECT device_key FROM telemetry_device_keys WHERE device_id = ?1");
        findDevice.BindText(1, query.DeviceId);
        if (!findDevice.Read())
        {
            return new ReadingPage([], null);
        }

        var device = findDevice.Int64(0);
        var filter = new ReadingFilter(query);
        var need = query.Limit + 1;
        using var headers = new SqliteRawStatement(connection,
            "SELECT first_seq, bucket, readings, min_us FROM telemetry_blocks WHERE device_key = ?1 AND bucket BETWEEN ?2 AND ?3 "
            + "AND max_us >= ?4 AND min_us < ?5 ORDER BY bucket, min_us");
        headers.BindInt64(1, device);
        headers.BindInt64(2, filter.Low == long.MinValue ? long.MinValue : SqliteTelemetrySchema.Bucket(filter.Low));
        headers.BindInt64(3, filter.High == long.MaxValue ? long.MaxValue : SqliteTelemetrySchema.Bucket(filter.High - 1));
        headers.BindInt64(4, filter.Low);
        headers.BindInt64(5, filter.High);
        using var data = new SqliteRawStatement(connection, "SELECT data FROM telemetry_blocks WHERE first_seq = ?1");

        var collected = new List<StoredReading>();
        var decoded = new List<StoredReading>();
        long? bucket = null;
        var cutoff = long.MaxValue;
        while (headers.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (firstSequence, blockBucket, count, min) = (headers.Int64(0), headers.Int64(1), headers.Int64(2), headers.Int64(3));
            if (blockBucket != bucket)
            {
                if (collected.Count >= need)
                {
                    break;
                }

                bucket = blockBucket;
            }

            if (min > cutoff)
            {
                continue;
            }

            data.BindInt64(1, firstSequence);
            if (data.Read())
            {
                decoded.Clear();
                ReadingBlockReader.Decode(data.Bytes(0), firstSequence, count, query.DeviceId, 0, decoded);
                collected.AddRange(decoded.Where(filter.Matches));
            }

            data.Reset();
            if (collected.Count >= need)
            {
                collected.Sort(InTimeOrder);
                collected.RemoveRange(need, collected.Count - need);
                cutoff = TelemetrySchema.ToMicros(collected[^1].Reading.OccurrenceTime);
            }
        }

        collected.Sort(InTimeOrder);
        if (collected.Count <= query.Limit)
        {
            return new ReadingPage(collected, null);
        }

        collected.RemoveRange(query.Limit, collected.Count - query.Limit);
        var last = collected[^1];
        return new ReadingPage(collected, new ReadingCursor(TelemetrySchema.ToMicros(last.Reading.OccurrenceTime), last.Sequence));
    }

    private static int InTimeOrder(StoredReading a, StoredReading b)
    {
        var byTime = a.Reading.OccurrenceTime.UtcTicks.CompareTo(b.Reading.OccurrenceTime.UtcTicks);
        return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
    }

    /// <summary>The query's conditions on one reading; <see cref="Low"/>/<see cref="High"/> bound the times that can match.</summary>
    private sealed class ReadingFilter(ReadingQuery query)
    {
        private readonly long _from = query.From is { } from ? TelemetrySchema.ToMicros(from) : long.MinValue;

        public long Low { get; } = Math.Max(query.From is { } f ? TelemetrySchema.ToMicros(f) : long.MinValue, query.After?.TimeMicros ?? long.MinValue);

        public long High { get; } = query.To is { } to ? TelemetrySchema.ToMicros(to) : long.MaxValue;

        public bool Matches(StoredReading stored)
        {
            var time = TelemetrySchema.ToMicros(stored.Reading.OccurrenceTime);
            return time >= _from && time < High
                   && (query.Type is null || string.Equals(stored.Reading.Type, query.Type, StringComparison.Ordinal))
                   && (query.After is not { } after || time > after.TimeMicros || (time == after.TimeMicros && stored.Sequence > after.Sequence));
        }
    }
}
