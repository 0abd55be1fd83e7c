using System.Data.Common;
using System.Text;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// The telemetry store over SQL: checkpoints are shared, and the one-row-per-reading queries PostgreSQL uses; each
/// database appends its own way (SQLite in blocks on one connection, which it also reads, PostgreSQL a few set-based
/// statements).
/// </summary>
internal abstract class SqlTelemetryStore : ITelemetryStore
{
    protected const string ReadingColumns = "seq, device_id, type, time_us, vals, message_id, correlation_id";

    protected abstract string Schema { get; }

    /// <summary>Opens a pooled connection for reads and small writes.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public abstract Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken);

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var statement in Schema.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public virtual async Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {ReadingColumns} FROM telemetry_readings WHERE device_id = @device");
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        Add(command, "@device", query.DeviceId);
        if (query.Type is { } type)
        {
            sql.Append(" AND type = @type");
            Add(command, "@type", type);
        }

        if (query.From is { } from)
        {
            sql.Append(" AND time_us >= @from");
            Add(command, "@from", TelemetrySchema.ToMicros(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND time_us < @to");
            Add(command, "@to", TelemetrySchema.ToMicros(to));
        }

        if (query.After is { } after)
        {
            sql.Append(" AND (time_us > @after_time OR (time_us = @after_time AND seq > @after_seq))");
            Add(command, "@after_time", after.TimeMicros);
            Add(command, "@after_seq", after.Sequence);
        }

        sql.Append(" ORDER BY time_us, seq LIMIT @limit");
        Add(command, "@limit", (long)query.Limit + 1);
        command.CommandText = sql.ToString();

        var readings = await ReadAllAsync(command, cancellationToken);
        if (readings.Count <= query.Limit)
        {
            return new ReadingPage(readings, null);
        }

        readings.RemoveAt(readings.Count - 1);
        var last = readings[^1];
        return new ReadingPage(readings, new ReadingCursor(TelemetrySchema.ToMicros(last.Reading.OccurrenceTime), last.Sequence));
    }

    public virtual async Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ReadingColumns} FROM telemetry_readings WHERE seq > @after ORDER BY seq LIMIT @limit";
        Add(command, "@after", afterSequence);
        Add(command, "@limit", (long)limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM telemetry_checkpoints WHERE consumer = @consumer";
        Add(command, "@consumer", consumer);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task SetCheckpointAsync(string consumer, long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO telemetry_checkpoints (consumer, seq) VALUES (@consumer, @seq) "
                              + "ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq";
        Add(command, "@consumer", consumer);
        Add(command, "@seq", sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static async Task<List<StoredReading>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var readings = new List<StoredReading>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var reading = new NormalizedReading(
                reader.GetString(2),
                TelemetrySchema.FromMicros(reader.GetInt64(3)),
                ReadingValuesJson.Read(reader.GetString(4)),
                reader.IsDBNull(6) ? null : reader.GetString(6));
            readings.Add(new StoredReading(reader.GetInt64(0), reader.GetString(1), reader.GetString(5), reading));
        }

        return readings;
    }
}
