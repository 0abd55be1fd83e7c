using HealthDataSpace.Storage.Tests.Infrastructure;
using System.Globalization;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Storage.Telemetry;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>
/// A telemetry.db of format 1 (one row per reading) opened by the block-format store: every reading keeps its
/// sequence and content, every message stays a duplicate, checkpoints stay valid, new readings continue above the old
/// ones, and a migration interrupted between batches resumes without losing or repeating anything.
/// </summary>
public sealed class SqliteTelemetryMigrationTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestFolder folder = new("hds-telemetry-migration-");

    private string DatabasePath => folder.File("telemetry.db");

    [Fact]
    public async Task Initialize_Format1File_EveryReadingKeepsSequenceAndContent()
    {
        var old = await WriteFormat1Async(OldRows());

        await using var store = Open();
        await store.InitializeAsync(CancellationToken.None);

        await AssertMigratedAsync(store, old);
    }

    [Fact]
    public async Task Initialize_InterruptedTwice_ResumesAndEndsWithEveryReadingOnce()
    {
        var old = await WriteFormat1Async(OldRows());

        // 93 readings make 14 batches of 7, 80 messages 12: the first start dies after its 3rd batch (readings), the
        // second resumes and dies after its 16th (11 more of readings, then 5 of messages).
        foreach (var crashAfter in new[] { 3, 16 })
        {
            var batches = 0;
            await using var interrupted = Open(batchSize: 7, afterBatch: () =>
            {
                if (++batches == crashAfter)
                {
                    throw new IOException("simulated crash");
                }
            });
            await Assert.ThrowsAsync<IOException>(() => interrupted.InitializeAsync(CancellationToken.None));
        }

        Assert.True(TableExists("telemetry_readings"));
        await using var store = Open(batchSize: 7);
        await store.InitializeAsync(CancellationToken.None);

        await AssertMigratedAsync(store, old);
    }

    [Fact]
    public async Task Initialize_Format1RowWithUndecodableValues_StaysUnreadableWhileItsNeighboursRead()
    {
        var rows = Enumerable.Range(1, 5).Select(i => new OldRow(i, "dev-1", $"m{i}", "hr", T0.AddMinutes(i), Values(i), null)).ToList();
        await WriteFormat1Async(rows, corruptSequence: 3);

        await using var store = Open();
        await store.InitializeAsync(CancellationToken.None);

        Assert.Equal([1L, 2L], (await store.ReadAfterAsync(0, 2, CancellationToken.None)).Select(r => r.Sequence));
        await Assert.ThrowsAsync<FormatException>(() => store.ReadAfterAsync(2, 1, CancellationToken.None));
        Assert.Equal([4L, 5L], (await store.ReadAfterAsync(3, 10, CancellationToken.None)).Select(r => r.Sequence));
    }

    public void Dispose() => folder.Delete();

    private SqliteTelemetryStore Open(int batchSize = 20_000, Action? afterBatch = null) =>
        new(DatabasePath, fullSync: true) { MigrationBatchSize = batchSize, AfterMigrationBatch = afterBatch };

    /// <summary>
    /// 80 messages of two devices, interleaved, every 5 minutes (crossing hours); every 6th has two readings (blood
    /// pressure with a correlation id); sequence 21 is missing (a gap, as a deleted row would leave).
    /// </summary>
    private static List<OldRow> OldRows()
    {
        var rows = new List<OldRow>();
        var sequence = 0L;
        for (var m = 0; m < 80; m++)
        {
            var device = m % 3 == 0 ? "dev-b" : "dev-a";
            var time = T0.AddMinutes(m * 5);
            sequence += sequence == 20 ? 2 : 1;
            if (m % 6 == 5)
            {
                rows.Add(new OldRow(sequence, device, $"msg-{m}", "bloodpressure", time, [new("systolic", $"{100 + m}"), new("diastolic", "80")], $"corr-{m}"));
                sequence++;
                rows.Add(new OldRow(sequence, device, $"msg-{m}", "heartrate", time, Values(m), $"corr-{m}"));
            }
            else
            {
                rows.Add(new OldRow(sequence, device, $"msg-{m}", "heartrate", time, Values(m), null));
            }
        }

        return rows;
    }

    private static ReadingValue[] Values(int i) => [new("hr", (60 + i).ToString(CultureInfo.InvariantCulture))];

    /// <summary>Writes the rows with the format-1 tables and statements, as the previous store did; checkpoint "projection" at 25.</summary>
    private async Task<List<OldRow>> WriteFormat1Async(List<OldRow> rows, long? corruptSequence = null)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        foreach (var statement in ("PRAGMA journal_mode=WAL;" + TelemetrySchema.Render("INTEGER PRIMARY KEY", "BLOB", " WITHOUT ROWID"))
                     .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await Execute(connection, statement);
        }

        foreach (var message in rows.GroupBy(r => (r.Device, r.Message)))
        {
            await Execute(connection, "INSERT INTO telemetry_messages (device_id, message_id, enqueued_us, received_us, body, readings) VALUES ($d, $m, 1, 2, x'7b7d', $n)",
                ("$d", message.Key.Device), ("$m", message.Key.Message), ("$n", message.Count()));
        }

        foreach (var row in rows)
        {
            await Execute(connection,
                "INSERT INTO telemetry_readings (seq, device_id, type, time_us, vals, message_id, correlation_id) VALUES ($s, $d, $t, $u, $v, $m, $c)",
                ("$s", row.Sequence), ("$d", row.Device), ("$t", row.Type), ("$u", TelemetrySchema.ToMicros(row.Time)),
                ("$v", row.Sequence == corruptSequence ? "not json" : ReadingValuesJson.Write(row.Values)), ("$m", row.Message), ("$c", row.Correlation));
        }

        await Execute(connection, "INSERT INTO telemetry_checkpoints (consumer, seq) VALUES ('projection', 25)");
        return rows;
    }

    private async Task AssertMigratedAsync(SqliteTelemetryStore store, List<OldRow> old)
    {
        var all = await store.ReadAfterAsync(0, 10_000, CancellationToken.None);
        Assert.Equal(old.Select(r => r.Sequence), all.Select(r => r.Sequence));
        Assert.Equal(old.Select(r => (r.Device, r.Message, r.Type, r.Time, r.Correlation)),
            all.Select(r => (r.DeviceId, r.MessageId, r.Reading.Type, r.Reading.OccurrenceTime, r.Reading.CorrelationId)));
        Assert.Equal(old.Select(r => r.Values), all.Select(r => r.Reading.Values.ToArray()));

        var checkpoint = await store.GetCheckpointAsync("projection", CancellationToken.None);
        Assert.Equal(25, checkpoint);
        Assert.Equal(old.Where(r => r.Sequence > 25).Select(r => r.Sequence),
            (await store.ReadAfterAsync(checkpoint, 10_000, CancellationToken.None)).Select(r => r.Sequence));

        var devA = old.Where(r => r.Device == "dev-a").OrderBy(r => r.Time).ThenBy(r => r.Sequence).Select(r => r.Sequence);
        var page = await store.QueryAsync(new ReadingQuery("dev-a", null, null, null, null, 1000), CancellationToken.None);
        Assert.Equal(devA, page.Readings.Select(r => r.Sequence));

        var retry = await store.AppendAsync(
        [
            new TelemetryRecord("dev-a", "msg-1", T0, T0, default, [new NormalizedReading("heartrate", T0, Values(1))]),
            new TelemetryRecord("dev-b", "msg-6", T0, T0, default, [new NormalizedReading("heartrate", T0, Values(6))]),
            new TelemetryRecord("dev-a", "new-1", T0, T0, default, [new NormalizedReading("heartrate", T0, Values(999))]),
        ], CancellationToken.None);
        Assert.Equal([false, false, true], retry);
        var added = Assert.Single(await store.ReadAfterAsync(old[^1].Sequence, 10, CancellationToken.None));
        Assert.Equal(("new-1", old[^1].Sequence + 1), (added.MessageId, added.Sequence));

        Assert.False(TableExists("telemetry_readings"));
        Assert.False(TableExists("telemetry_messages"));
        Assert.False(TableExists("telemetry_migration"));
    }

    private bool TableExists(string name)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return (long)command.ExecuteScalar()! == 1;
    }

    private static async Task Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private sealed record OldRow(long Sequence, string Device, string Message, string Type, DateTimeOffset Time, ReadingValue[] Values, string? Correlation);
}
