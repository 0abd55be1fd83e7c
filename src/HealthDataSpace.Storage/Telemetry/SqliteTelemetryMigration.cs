using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Converts a telemetry file of format 1 (one row per reading in <c>telemetry_readings</c>, message keys in
/// <c>telemetry_messages</c>) into the block format, at start-up, before the first append. Readings keep their
/// sequence numbers (a block is made only of readings with consecutive sequences), so consumers' checkpoints, query
/// cursors and the sequence tags on Observations stay valid and new readings continue above the highest. Work is done
/// in transactions of <c>batchSize</c> rows that also record how far they got (<c>telemetry_migration</c>); a migration
/// interrupted at any point (even kill -9) resumes where the last committed batch ended, so nothing is copied twice or
/// skipped. The old tables are dropped in the last transaction, only once everything is copied. A stored row whose
/// values cannot be decoded is kept, as a block that stays unreadable, so readers step over it as they did before.
/// </summary>
/// <param name="afterBatch">Called after each committed batch (a test seam: throwing from it interrupts the migration).</param>
internal sealed class SqliteTelemetryMigration(SqliteConnection connection, int batchSize, Action? afterBatch = null)
{
    /// <summary>Marks a block that holds a format-1 row that could not be converted; <see cref="ReadingBlockReader"/> rejects it.</summary>
    public const byte UnreadableVersion = 0;

    public void Run(CancellationToken cancellationToken)
    {
        if (!TableExists("telemetry_readings"))
        {
            return;
        }

        Execute("CREATE TABLE IF NOT EXISTS telemetry_migration (step TEXT NOT NULL PRIMARY KEY, seq INTEGER NULL, device_id TEXT NULL, message_id TEXT NULL)");
        using var devices = new SqliteDeviceKeys(connection);
        while (InTransaction(() => CopyReadings(devices)))
        {
            afterBatch?.Invoke();
            cancellationToken.ThrowIfCancellationRequested();
        }

        while (InTransaction(() => CopyMessages(devices)))
        {
            afterBatch?.Invoke();
            cancellationToken.ThrowIfCancellationRequested();
        }

        InTransaction(() =>
        {
            Execute("DROP TABLE telemetry_readings");
            Execute("DROP TABLE telemetry_messages");
            Execute("DROP TABLE telemetry_migration");
            return true;
        });
    }

    /// <summary>Copies the next batch of readings in sequence order; false when none was left.</summary>
    private bool CopyReadings(SqliteDeviceKeys devices)
    {
        var after = ProgressSequence();
        using var rows = new SqliteRawStatement(connection,
            "SELECT seq, device_id, type, time_us, vals, message_id, correlation_id FROM telemetry_readings WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        rows.BindInt64(1, after);
        rows.BindInt64(2, batchSize);
        var run = new ReadingRun();
        using var insert = new SqliteRawStatement(connection, SqliteBlockAppender.InsertBlockSql);
        var writer = new ReadingBlockWriter();
        var last = after;
        while (rows.Read())
        {
            var row = OldReading.From(rows);
            last = row.Sequence;
            if (!run.TryAdd(row))
            {
                run.Write(insert, writer, devices);
                run = new ReadingRun();
                run.TryAdd(row);
            }
        }

        run.Write(insert, writer, devices);
        if (last == after)
        {
            return false;
        }

        using var progress = new SqliteRawStatement(connection,
            "INSERT INTO telemetry_migration (step, seq) VALUES ('readings', ?1) ON CONFLICT (step) DO UPDATE SET seq = excluded.seq");
        progress.BindInt64(1, last);
        progress.Execute();
        return true;
    }

    /// <summary>Copies the next batch of message keys in (device id, message id) order; false when none was left.</summary>
    private bool CopyMessages(SqliteDeviceKeys devices)
    {
        using var position = new SqliteRawStatement(connection, "SELECT device_id, message_id FROM telemetry_migration WHERE step = 'messages'");
        var resumed = position.Read();
        var (lastDevice, lastMessage) = resumed ? (position.Text(0), position.Text(1)) : ("", "");
        position.Reset();
        using var rows = new SqliteRawStatement(connection,
            "SELECT device_id, message_id, enqueued_us, received_us, body, readings FROM telemetry_messages "
            + (resumed ? "WHERE (device_id, message_id) > (?2, ?3) " : string.Empty) + "ORDER BY device_id, message_id LIMIT ?1");
        rows.BindInt64(1, batchSize);
        if (resumed)
        {
            rows.BindText(2, lastDevice);
            rows.BindText(3, lastMessage);
        }

        using var insert = new SqliteRawStatement(connection,
            "INSERT OR IGNORE INTO telemetry_message_keys (device_key, message_id, enqueued_us, received_us, body, readings) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        var copied = false;
        while (rows.Read())
        {
            (lastDevice, lastMessage) = (rows.Text(0), rows.Text(1));
            insert.BindInt64(1, devices.KeyOf(lastDevice));
            insert.BindText(2, lastMessage);
            insert.BindInt64(3, rows.Int64(2));
            insert.BindInt64(4, rows.Int64(3));
            insert.BindBlobOrNull(5, rows.IsNull(4) ? default : rows.Bytes(4));
            insert.BindInt64(6, rows.Int64(5));
            insert.Execute();
            copied = true;
        }

        if (copied)
        {
            using var progress = new SqliteRawStatement(connection,
                "INSERT INTO telemetry_migration (step, device_id, message_id) VALUES ('messages', ?1, ?2) "
                + "ON CONFLICT (step) DO UPDATE SET device_id = excluded.device_id, message_id = excluded.message_id");
            progress.BindText(1, lastDevice);
            progress.BindText(2, lastMessage);
            progress.Execute();
        }

        return copied;
    }

    private long ProgressSequence()
    {
        using var progress = new SqliteRawStatement(connection, "SELECT seq FROM telemetry_migration WHERE step = 'readings'");
        return progress.Read() ? progress.Int64(0) : 0;
    }

    private bool TableExists(string name)
    {
        using var table = new SqliteRawStatement(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
        table.BindText(1, name);
        return table.Read();
    }

    private void Execute(string sql)
    {
        using var statement = new SqliteRawStatement(connection, sql);
        statement.Execute();
    }

    private bool InTransaction(Func<bool> work)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = work();
        transaction.Commit();
        return result;
    }

    /// <summary>A format-1 reading row; <see cref="Reading"/> is null when its stored values cannot be decoded.</summary>
    private sealed record OldReading(long Sequence, string DeviceId, string MessageId, long TimeMicros, NormalizedReading? Reading, byte[] RawValues)
    {
        public static OldReading From(SqliteRawStatement row)
        {
            var time = row.Int64(3);
            var raw = row.Bytes(4).ToArray();
            NormalizedReading? reading;
            try
            {
                reading = new NormalizedReading(row.Text(2), TelemetrySchema.FromMicros(time), ReadingValuesJson.Read(raw), row.IsNull(6) ? null : row.Text(6));
            }
            catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException or ArgumentOutOfRangeException)
            {
                reading = null;
            }

            return new OldReading(row.Int64(0), row.Text(1), row.Text(5), time, reading, raw);
        }
    }

    /// <summary>Consecutive readings (by sequence) of one device in one hour: what one block may hold.</summary>
    private sealed class ReadingRun
    {
        private readonly List<OldReading> _rows = [];

        public bool TryAdd(OldReading row)
        {
            if (_rows.Count > 0)
            {
                var first = _rows[0];
                var previous = _rows[^1];
                if (_rows.Count == SqliteTelemetrySchema.MaxReadingsPerBlock || row.Sequence != previous.Sequence + 1
                    || row.Reading is null || previous.Reading is null
                    || !string.Equals(row.DeviceId, first.DeviceId, StringComparison.Ordinal)
                    || SqliteTelemetrySchema.Bucket(row.TimeMicros) != SqliteTelemetrySchema.Bucket(first.TimeMicros))
                {
                    return false;
                }
            }

            _rows.Add(row);
            return true;
        }

        public void Write(SqliteRawStatement insert, ReadingBlockWriter writer, SqliteDeviceKeys devices)
        {
            if (_rows.Count == 0)
            {
                return;
            }

            var first = _rows[0];
            insert.BindInt64(1, first.Sequence);
            insert.BindInt64(2, devices.KeyOf(first.DeviceId));
            insert.BindInt64(3, SqliteTelemetrySchema.Bucket(first.TimeMicros));
            insert.BindInt64(4, _rows.Count);
            insert.BindInt64(5, _rows.Min(r => r.TimeMicros));
            insert.BindInt64(6, _rows.Max(r => r.TimeMicros));
            if (first.Reading is null)
            {
                insert.BindBlob(7, [UnreadableVersion, .. first.RawValues]);
            }
            else
            {
                var (records, refs) = AsRecords();
                insert.BindBlob(7, writer.Encode(records, refs));
            }

            insert.Execute();
        }

        /// <summary>The run as the writer takes it: one record per message (consecutive readings of one message id).</summary>
        private (List<TelemetryRecord> Records, ReadingRef[] Refs) AsRecords()
        {
            var records = new List<TelemetryRecord>();
            var refs = new ReadingRef[_rows.Count];
            List<NormalizedReading>? readings = null;
            for (var i = 0; i < _rows.Count; i++)
            {
                if (readings is null || !string.Equals(_rows[i].MessageId, records[^1].MessageId, StringComparison.Ordinal))
                {
                    readings = [];
                    records.Add(new TelemetryRecord(_rows[i].DeviceId, _rows[i].MessageId, default, default, default, readings));
                }

                refs[i] = new ReadingRef(records.Count - 1, readings.Count);
                readings.Add(_rows[i].Reading!);
            }

            return (records, refs);
        }
    }
}
