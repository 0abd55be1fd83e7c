using System.Data.Common;
using HealthDataSpace.Core.Telemetry.Store;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Telemetry in its own SQLite file (WAL), so its single writer never queues behind FHIR writes. Readings are packed
/// into blocks (<see cref="SqliteTelemetrySchema"/>): an append costs one B-tree insert per message, for its
/// de-duplication key, and one per block of readings. Appends run on one dedicated connection with statements prepared
/// once and driven through SQLite's own API (<see cref="SqliteRawStatement"/>); with <c>synchronous=FULL</c> each
/// commit is fsynced before it returns, and in any mode a committed transaction survives a crash of the gateway
/// process (kill -9). A file of the previous one-row-per-reading format is converted at start-up
/// (<see cref="SqliteTelemetryMigration"/>).
/// </summary>
internal sealed class SqliteTelemetryStore : SqlTelemetryStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly bool _fullSync;
    private readonly SemaphoreSlim _appendGate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteBlockAppender? _appender;

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

    /// <summary>Rows per migration transaction (<see cref="SqliteTelemetryMigration"/>).</summary>
    internal int MigrationBatchSize { get; init; } = 20_000;

    /// <summary>Test seam: called after each committed migration batch; throwing from it interrupts the migration.</summary>
    internal Action? AfterMigrationBatch { get; init; }

    protected override string Schema { get; } = "PRAGMA journal_mode=WAL;" + SqliteTelemetrySchema.Tables;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous={(_fullSync ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await base.InitializeAsync(cancellationToken);
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        new SqliteTelemetryMigration(connection, MigrationBatchSize, AfterMigrationBatch).Run(cancellationToken);
    }

    public override async Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        await _appendGate.WaitAsync(cancellationToken);
        try
        {
            var (connection, appender) = await AppenderAsync(cancellationToken);
            // Every record is a candidate: a second copy of a message in the same list hits the key its first copy
            // inserted a moment earlier in the same transaction, and is a duplicate like any retry.
            var stored = new bool[records.Count];
            Array.Fill(stored, true);
            // BEGIN IMMEDIATE: take the write lock up front rather than fail to upgrade a read lock halfway.
            await using var transaction = connection.BeginTransaction(deferred: false);
            appender.Append(records, stored);
            await transaction.CommitAsync(cancellationToken);
            return stored;
        }
        catch
        {
            // The connection may be left in an unknown state (disk full, I/O error), and the appender's cached device
            // keys and next sequence may name rows that were rolled back: start over with fresh ones.
            await DropAppenderAsync();
            throw;
        }
        finally
        {
            _appendGate.Release();
        }
    }

    public override async Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        return SqliteBlockQueries.Query(connection, query, cancellationToken);
    }

    /// <summary>Block by block through SQLite's own API: the Observation projection reads every reading back once.</summary>
    public override async Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        return SqliteBlockQueries.ReadAfter(connection, afterSequence, limit, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await DropAppenderAsync();
        _appendGate.Dispose();
    }

    private async Task<(SqliteConnection, SqliteBlockAppender)> AppenderAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null && _appender is not null)
        {
            return (_connection, _appender);
        }

        var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // The appender touches the tails of the blocks table and its index and the message keys of every device;
            // a larger page cache than SQLite's 2 MB default keeps those pages in memory between commits.
            pragma.CommandText = "PRAGMA cache_size=-16384";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        _connection = connection;
        _appender = new SqliteBlockAppender(connection);
        return (connection, _appender);
    }

    private async Task DropAppenderAsync()
    {
        _appender?.Dispose();
        _appender = null;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}
