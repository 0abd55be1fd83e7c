using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. SQLite allows a single writer, so write sessions queue
/// in-process (see <see cref="SqlFhirStore"/>) while readers go on against the last committed state.
/// </summary>
internal sealed class SqliteDialect(string connectionString) : SqlDialect
{
    public override string Name => "SQLite";

    public override string Schema { get; } =
        "PRAGMA journal_mode=WAL;" + FhirSchema.Render("INTEGER PRIMARY KEY", "INTEGER", "REAL", string.Empty);

    public override bool SingleWriter => true;

    public override string? LockStatement => null;

    public override int MaxParametersPerInsert => 0;

    public override bool PrefixSearchByRange => true;

    public static SqliteDialect ForFile(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new SqliteDialect(builder.ToString());
    }

    public override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(forWrite: false, cancellationToken);

    public override async Task<DbConnection> OpenAsync(bool forWrite, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
        // Each pooled connection keeps its own page cache for as long as it lives, so a large one on every reader
        // multiplies by the pool: a full scan by an export or a start-up load once filled 64 MB per connection and
        // the gateway's memory crept up export after export. Writers (one at a time) keep 64 MB for their index
        // B-trees; readers 8 MB, with the operating system's file cache behind them. Set on every open, because a
        // pooled connection may have served the other kind last (shrinking the cache frees the excess pages).
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY; " +
                             (forWrite ? "PRAGMA cache_size=-65536;" : "PRAGMA cache_size=-8192;");
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override Task<DbTransaction> BeginAsync(DbConnection connection, bool forWrite, CancellationToken cancellationToken)
    {
        // Writers take the write lock up front (BEGIN IMMEDIATE); readers get a consistent snapshot (deferred).
        DbTransaction transaction = ((SqliteConnection)connection).BeginTransaction(deferred: !forWrite);
        return Task.FromResult(transaction);
    }
}
