using System.Data;
using System.Data.Common;
using Npgsql;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>Production: PostgreSQL. Many writers at once; conditional creates serialise on advisory locks.</summary>
internal sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    public override string Name => "PostgreSQL";

    public override string Schema { get; } =
        FhirSchema.Render("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", "DOUBLE PRECISION", "text_pattern_ops");

    public override bool SingleWriter => false;

    public override string? LockStatement => "SELECT pg_advisory_xact_lock(@key)";

    public override int MaxParametersPerInsert => 6000;

    public override bool PrefixSearchByRange => false;

    public override (string Lock, string Unlock)? SchemaLock =>
        ("SELECT pg_advisory_lock(7244163001)", "SELECT pg_advisory_unlock(7244163001)");

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbTransaction> BeginAsync(DbConnection connection, bool forWrite, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(forWrite ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);
}
