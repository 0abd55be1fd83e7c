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

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;";
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
