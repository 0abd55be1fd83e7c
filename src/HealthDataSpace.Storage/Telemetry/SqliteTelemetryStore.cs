using System.Data.Common;
using HealthDataSpace.Core.Telemetry.Store;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Telemetry in its own SQLite file (WAL), so its single writer never queues behind FHIR writes. Appends run on one
/// dedicated connection with prepared statements; with <c>synchronous=FULL</c> each commit is fsynced before it
/// returns, and in any mode a committed transaction survives a crash of the gateway process (kill -9).
/// </summary>
internal sealed class SqliteTelemetryStore : SqlTelemetryStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly bool _fullSync;
    private readonly SemaphoreSlim _appendGate = new(1, 1);
    private SqliteConnection? _appender;
    private SqliteCommand? _insertMessage;
    private SqliteCommand? _insertReading;

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
            _insertMessage!.Transaction = transaction;
            _insertReading!.Transaction = transaction;
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

    public async ValueTask DisposeAsync()
    {
        await DropAppenderAsync();
        _appendGate.Dispose();
    }

    private bool Append(TelemetryRecord record)
    {
        var message = _insertMessage!.Parameters;
        message[0].Value = record.DeviceId;
        message[1].Value = record.MessageId;
        message[2].Value = TelemetrySchema.ToMicros(record.EnqueuedTime);
        message[3].Value = TelemetrySchema.ToMicros(record.ReceivedTime);
        message[4].Value = record.Body.IsEmpty ? DBNull.Value : record.Body.ToArray();
        message[5].Value = record.Readings.Count;
        if (_insertMessage.ExecuteNonQuery() == 0)
        {
            return false;
        }

        var reading = _insertReading!.Parameters;
        foreach (var r in record.Readings)
        {
            reading[0].Value = record.DeviceId;
            reading[1].Value = r.Type;
            reading[2].Value = TelemetrySchema.ToMicros(r.OccurrenceTime);
            reading[3].Value = ReadingValuesJson.Write(r.Values);
            reading[4].Value = record.MessageId;
            reading[5].Value = (object?)r.CorrelationId ?? DBNull.Value;
            _insertReading.ExecuteNonQuery();
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
        _insertMessage = Prepare(connection,
            "INSERT OR IGNORE INTO telemetry_messages (device_id, message_id, enqueued_us, received_us, body, readings) VALUES ($d, $m, $e, $r, $b, $n)",
            "$d", "$m", "$e", "$r", "$b", "$n");
        _insertReading = Prepare(connection,
            "INSERT INTO telemetry_readings (device_id, type, time_us, vals, message_id, correlation_id) VALUES ($d, $t, $u, $v, $m, $c)",
            "$d", "$t", "$u", "$v", "$m", "$c");
        _appender = connection;
        return connection;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }

        return command;
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
