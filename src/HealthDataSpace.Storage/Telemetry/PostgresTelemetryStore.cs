using System.Data;
using System.Data.Common;
using HealthDataSpace.Core.Telemetry.Store;
using Npgsql;
using NpgsqlTypes;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Telemetry in PostgreSQL. An append is two set-based statements over arrays (messages with ON CONFLICT DO NOTHING
/// RETURNING what was new, then their readings). Appends from every replica serialise on an advisory lock taken first
/// in the transaction, so reading sequence numbers become visible in increasing order and a consumer that remembers the
/// last one it saw can never skip a reading committed later with a smaller number.
/// </summary>
internal sealed class PostgresTelemetryStore(NpgsqlDataSource dataSource) : SqlTelemetryStore
{
    private const long AppendLockKey = 7244163002;

    protected override string Schema { get; } =
        "SELECT pg_advisory_lock(7244163001);"
        + TelemetrySchema.Render("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA", string.Empty)
        + ";SELECT pg_advisory_unlock(7244163001)";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var stored = FirstOccurrences(records);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using (var locking = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            locking.Parameters.AddWithValue("key", AppendLockKey);
            await locking.ExecuteNonQueryAsync(cancellationToken);
        }

        var inserted = await InsertMessagesAsync(connection, transaction, records, stored, cancellationToken);
        for (var i = 0; i < records.Count; i++)
        {
            stored[i] = stored[i] && inserted.Contains((records[i].DeviceId, records[i].MessageId));
        }

        await InsertReadingsAsync(connection, transaction, records, stored, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    private static async Task<HashSet<(string, string)>> InsertMessagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<TelemetryRecord> records, bool[] candidates, CancellationToken cancellationToken)
    {
        var rows = Enumerable.Range(0, records.Count).Where(i => candidates[i]).Select(i => records[i]).ToList();
        await using var command = new NpgsqlCommand(
            "INSERT INTO telemetry_messages (device_id, message_id, enqueued_us, received_us, body, readings) "
            + "SELECT * FROM unnest(@d, @m, @e, @r, @b, @n) ON CONFLICT DO NOTHING RETURNING device_id, message_id",
            connection, transaction);
        command.Parameters.Add(Array("d", NpgsqlDbType.Text, rows.Select(r => r.DeviceId).ToArray()));
        command.Parameters.Add(Array("m", NpgsqlDbType.Text, rows.Select(r => r.MessageId).ToArray()));
        command.Parameters.Add(Array("e", NpgsqlDbType.Bigint, rows.Select(r => TelemetrySchema.ToMicros(r.EnqueuedTime)).ToArray()));
        command.Parameters.Add(Array("r", NpgsqlDbType.Bigint, rows.Select(r => TelemetrySchema.ToMicros(r.ReceivedTime)).ToArray()));
        command.Parameters.Add(Array("b", NpgsqlDbType.Bytea, rows.Select(r => r.Body.IsEmpty ? null : r.Body.ToArray()).ToArray()));
        command.Parameters.Add(Array("n", NpgsqlDbType.Integer, rows.Select(r => r.Readings.Count).ToArray()));

        var inserted = new HashSet<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add((reader.GetString(0), reader.GetString(1)));
        }

        return inserted;
    }

    private static async Task InsertReadingsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<TelemetryRecord> records, bool[] stored, CancellationToken cancellationToken)
    {
        var readings = Enumerable.Range(0, records.Count).Where(i => stored[i])
            .SelectMany(i => records[i].Readings.Select(reading => (Record: records[i], Reading: reading)))
            .ToList();
        if (readings.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            "INSERT INTO telemetry_readings (device_id, type, time_us, vals, message_id, correlation_id) "
            + "SELECT * FROM unnest(@d, @t, @u, @v, @m, @c)",
            connection, transaction);
        command.Parameters.Add(Array("d", NpgsqlDbType.Text, readings.Select(x => x.Record.DeviceId).ToArray()));
        command.Parameters.Add(Array("t", NpgsqlDbType.Text, readings.Select(x => x.Reading.Type).ToArray()));
        command.Parameters.Add(Array("u", NpgsqlDbType.Bigint, readings.Select(x => TelemetrySchema.ToMicros(x.Reading.OccurrenceTime)).ToArray()));
        command.Parameters.Add(Array("v", NpgsqlDbType.Text, readings.Select(x => ReadingValuesJson.Write(x.Reading.Values)).ToArray()));
        command.Parameters.Add(Array("m", NpgsqlDbType.Text, readings.Select(x => x.Record.MessageId).ToArray()));
        command.Parameters.Add(Array("c", NpgsqlDbType.Text, readings.Select(x => x.Reading.CorrelationId).ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first occurrence of each (device, message id) in the list; later copies are duplicates without asking the database.</summary>
    private static bool[] FirstOccurrences(IReadOnlyList<TelemetryRecord> records)
    {
        var seen = new HashSet<(string, string)>();
        var first = new bool[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            first[i] = seen.Add((records[i].DeviceId, records[i].MessageId));
        }

        return first;
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType elementType, T[] values) =>
        new(name, NpgsqlDbType.Array | elementType) { Value = values };
}
