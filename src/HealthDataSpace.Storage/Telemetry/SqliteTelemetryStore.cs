using System.Data.Common;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Telemetry in its own SQLite file (WAL), so its single writer never queues behind FHIR writes. Appends run on one
/// dedicated connection with statements prepared once and driven through SQLite's own API
/// (<see cref="SqliteRawStatement"/>); with <c>synchronous=FULL</c> each commit is fsynced before it returns, and in any
/// mode a committed transaction survives a crash of the gateway process (kill -9).
/// </summary>
internal sealed class SqliteTelemetryStore : SqlTelemetryStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly bool _fullSync;
    private readonly SemaphoreSlim _appendGate = new(1, 1);
    private SqliteConnection? _appender;
    private readonly Utf8Scratch _values = new();
    private SqliteRawStatement? _insertMessage;
    private SqliteRawStatement? _insertReading;

    public SqliteTelemetryStore(string databasePath, bool fullSync)
    {
        _fullSync = fullSync;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    protected override string Schema { get; } = "PRAGMA journal_mode=WAL;" + TelemetrySchema.Render("INTEGER PRIMARY KEY", "BLOB", " WITHOUT ROWID");

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous={(_fullSync ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override async Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        await _appendGate.WaitAsync(cancellationToken);
        try
        {
            var connection = await AppenderAsync(cancellationToken);
            var stored = FirstOccurrences(records);
            // BEGIN IMMEDIATE: take the write lock up front rather than fail to upgrade a read lock halfway.
            await using var transaction = connection.BeginTransaction(deferred: false);
            for (var i = 0; i < records.Count; i++)
            {
                if (stored[i])
                {
                    stored[i] = Append(records[i]);
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return stored;
        }
        catch
        {
            // The connection may be left in an unknown state (disk full, I/O error): start over with a fresh one.
            await DropAppenderAsync();
            throw;
        }
        finally
        {
            _appendGate.Release();
        }
    }

    /// <summary>
    /// As the base class, read through SQLite's own API: the Observation projection reads every reading back once, and
    /// decoding rows without a data reader, with the repeating device id and type decoded once, halves that cost.
    /// </summary>
    public override async Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        using var query = new SqliteRawStatement(connection, $"SELECT {ReadingColumns} FROM telemetry_readings WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        query.BindInt64(1, afterSequence);
        query.BindInt64(2, limit);
        var devices = new RepeatingText();
        var types = new RepeatingText();
        var messages = new RepeatingText();
        var readings = new List<StoredReading>(Math.Min(limit, 4096));
        while (query.Read())
        {
            if ((readings.Count & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var reading = new NormalizedReading(
                types.Decode(query.Bytes(2)),
                TelemetrySchema.FromMicros(query.Int64(3)),
                ReadingValuesJson.Read(query.Bytes(4)),
                query.IsNull(6) ? null : System.Text.Encoding.UTF8.GetString(query.Bytes(6)));
            readings.Add(new StoredReading(query.Int64(0), devices.Decode(query.Bytes(1)), messages.Decode(query.Bytes(5)), reading));
        }

        return readings;
    }

    public async ValueTask DisposeAsync()
    {
        await DropAppenderAsync();
        _appendGate.Dispose();
    }

    private bool Append(TelemetryRecord record)
    {
        var message = _insertMessage!;
        message.BindText(1, record.DeviceId);
        message.BindText(2, record.MessageId);
        message.BindInt64(3, TelemetrySchema.ToMicros(record.EnqueuedTime));
        message.BindInt64(4, TelemetrySchema.ToMicros(record.ReceivedTime));
        message.BindBlobOrNull(5, record.Body.Span);
        message.BindInt64(6, record.Readings.Count);
        if (message.Execute() == 0)
        {
            return false;
        }

        var reading = _insertReading!;
        foreach (var r in record.Readings)
        {
            reading.BindText(1, record.DeviceId);
            reading.BindText(2, r.Type);
            reading.BindInt64(3, TelemetrySchema.ToMicros(r.OccurrenceTime));
            ReadingValuesJson.WriteUtf8(_values.Reset(), r.Values);
            reading.BindText(4, _values.Written);
            reading.BindText(5, record.MessageId);
            reading.BindTextOrNull(6, r.CorrelationId);
            reading.Execute();
        }

        return true;
    }

    private async Task<SqliteConnection> AppenderAsync(CancellationToken cancellationToken)
    {
        if (_appender is not null)
        {
            return _appender;
        }

        var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // The appender touches the tails of the readings table and its index and the message keys of every
            // device; a larger page cache than SQLite's 2 MB default keeps those pages in memory between commits.
            pragma.CommandText = "PRAGMA cache_size=-16384";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        _insertMessage = new SqliteRawStatement(connection,
            "INSERT OR IGNORE INTO telemetry_messages (device_id, message_id, enqueued_us, received_us, body, readings) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        _insertReading = new SqliteRawStatement(connection,
            "INSERT INTO telemetry_readings (device_id, type, time_us, vals, message_id, correlation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        _appender = connection;
        return connection;
    }

    private async Task DropAppenderAsync()
    {
        _insertMessage?.Dispose();
        _insertReading?.Dispose();
        _insertMessage = _insertReading = null;
        if (_appender is not null)
        {
            await _appender.DisposeAsync();
            _appender = null;
        }
    }
}
