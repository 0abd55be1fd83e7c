using System.Runtime.InteropServices;
using HealthDataSpace.Core.Telemetry.Store;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Writes appends in the block format (<see cref="SqliteTelemetrySchema"/>) on the appender's own connection, inside
/// the caller's transaction: one de-duplication key per message, then one block row per (device, hour) of the new
/// readings. The next sequence is read at the start of each append (inside its write transaction, so even another
/// process writing the same file could not interleave); device keys are cached, so the appender is valid only while
/// every transaction it wrote in committed: after any failure the store throws it away with its connection.
/// </summary>
internal sealed class SqliteBlockAppender : IDisposable
{
    private readonly SqliteRawStatement _insertMessage;
    private readonly SqliteRawStatement _insertBlock;
    private readonly SqliteRawStatement _lastBlock;
    private readonly SqliteDeviceKeys _devices;
    private readonly ReadingBlockWriter _writer = new();
    private readonly Dictionary<(long Device, long Bucket), List<ReadingRef>> _groups = [];
    private readonly List<(long Device, long Bucket, List<ReadingRef> Readings)> _order = [];
    private readonly Stack<List<ReadingRef>> _spareLists = new();
    private long _nextSequence;

    public SqliteBlockAppender(SqliteConnection connection)
    {
        _devices = new SqliteDeviceKeys(connection);
        _insertMessage = new SqliteRawStatement(connection,
            "INSERT OR IGNORE INTO telemetry_message_keys (device_key, message_id, enqueued_us, received_us, body, readings) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        _insertBlock = new SqliteRawStatement(connection, InsertBlockSql);
        _lastBlock = new SqliteRawStatement(connection, LastBlockSql);
    }

    public const string InsertBlockSql =
        "INSERT INTO telemetry_blocks (first_seq, device_key, bucket, readings, min_us, max_us, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

    /// <summary>The sequence after the newest block's last reading.</summary>
    private const string LastBlockSql = "SELECT first_seq + readings FROM telemetry_blocks ORDER BY first_seq DESC LIMIT 1";

    /// <summary>Stores the records marked in <paramref name="stored"/>; clears the mark of each that was stored before.</summary>
    public void Append(IReadOnlyList<TelemetryRecord> records, bool[] stored)
    {
        try
        {
            _nextSequence = _lastBlock.Read() ? _lastBlock.Int64(0) : 1;
            _lastBlock.Reset();
            for (var i = 0; i < records.Count; i++)
            {
                if (stored[i])
                {
                    stored[i] = AddMessage(records, i);
                }
            }

            foreach (var (device, bucket, readings) in _order)
            {
                WriteBlocks(records, device, bucket, CollectionsMarshal.AsSpan(readings));
            }
        }
        finally
        {
            foreach (var group in _order)
            {
                group.Readings.Clear();
                _spareLists.Push(group.Readings);
            }

            _order.Clear();
            _groups.Clear();
        }
    }

    public void Dispose()
    {
        _insertMessage.Dispose();
        _insertBlock.Dispose();
        _lastBlock.Dispose();
        _devices.Dispose();
    }

    private bool AddMessage(IReadOnlyList<TelemetryRecord> records, int index)
    {
        var record = records[index];
        var device = _devices.KeyOf(record.DeviceId);
        var message = _insertMessage;
        message.BindInt64(1, device);
        message.BindText(2, record.MessageId);
        message.BindInt64(3, TelemetrySchema.ToMicros(record.EnqueuedTime));
        message.BindInt64(4, TelemetrySchema.ToMicros(record.ReceivedTime));
        message.BindBlobOrNull(5, record.Body.Span);
        message.BindInt64(6, record.Readings.Count);
        if (message.Execute() == 0)
        {
            return false;
        }

        List<ReadingRef>? group = null;
        var groupBucket = long.MinValue;
        for (var r = 0; r < record.Readings.Count; r++)
        {
            var bucket = SqliteTelemetrySchema.Bucket(TelemetrySchema.ToMicros(record.Readings[r].OccurrenceTime));
            if (group is null || bucket != groupBucket)
            {
                group = GroupOf(device, bucket);
                groupBucket = bucket;
            }

            group.Add(new ReadingRef(index, r));
        }

        return true;
    }

    private List<ReadingRef> GroupOf(long device, long bucket)
    {
        if (!_groups.TryGetValue((device, bucket), out var group))
        {
            group = _spareLists.TryPop(out var spare) ? spare : [];
            _groups.Add((device, bucket), group);
            _order.Add((device, bucket, group));
        }

        return group;
    }

    /// <summary>One block per <see cref="SqliteTelemetrySchema.MaxReadingsPerBlock"/> readings of the group, in order.</summary>
    private void WriteBlocks(IReadOnlyList<TelemetryRecord> records, long device, long bucket, ReadOnlySpan<ReadingRef> readings)
    {
        while (!readings.IsEmpty)
        {
            var block = readings[..Math.Min(readings.Length, SqliteTelemetrySchema.MaxReadingsPerBlock)];
            readings = readings[block.Length..];
            long min = long.MaxValue, max = long.MinValue;
            foreach (var reading in block)
            {
                var time = TelemetrySchema.ToMicros(records[reading.Record].Readings[reading.Reading].OccurrenceTime);
                min = Math.Min(min, time);
                max = Math.Max(max, time);
            }

            var insert = _insertBlock;
            insert.BindInt64(1, _nextSequence);
            insert.BindInt64(2, device);
            insert.BindInt64(3, bucket);
            insert.BindInt64(4, block.Length);
            insert.BindInt64(5, min);
            insert.BindInt64(6, max);
            insert.BindBlob(7, _writer.Encode(records, block));
            insert.Execute();
            _nextSequence += block.Length;
        }
    }
}

/// <summary>The integer key of each device id (<c>telemetry_device_keys</c>), created on first use and cached.</summary>
internal sealed class SqliteDeviceKeys(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);
    private readonly SqliteRawStatement _find = new(connection, "SELECT device_key FROM telemetry_device_keys WHERE device_id = ?1");
    private readonly SqliteRawStatement _add = new(connection, "INSERT INTO telemetry_device_keys (device_id) VALUES (?1) RETURNING device_key");
    private string? _lastId;
    private long _lastKey;

    public long KeyOf(string deviceId)
    {
        if (ReferenceEquals(deviceId, _lastId) || string.Equals(deviceId, _lastId, StringComparison.Ordinal))
        {
            return _lastKey;
        }

        if (!_keys.TryGetValue(deviceId, out var key))
        {
            key = Lookup(_find, deviceId) ?? Lookup(_add, deviceId) ?? throw new InvalidOperationException("SQLite returned no device key.");
            _keys.Add(deviceId, key);
        }

        _lastId = deviceId;
        _lastKey = key;
        return key;
    }

    public void Dispose()
    {
        _find.Dispose();
        _add.Dispose();
    }

    private static long? Lookup(SqliteRawStatement statement, string deviceId)
    {
        statement.BindText(1, deviceId);
        try
        {
            return statement.Read() ? statement.Int64(0) : null;
        }
        finally
        {
            statement.Reset();
        }
    }
}
