using HealthDataSpace.Core.Research;
using HealthDataSpace.Storage.Fhir;
using Npgsql;

namespace HealthDataSpace.Storage.Research;

/// <summary>Builds the permit store beside the identified store: the same SQLite file or PostgreSQL database.</summary>
public static class PermitStoreFactory
{
    public static IPermitStore CreateSqlite(string databasePath) => new SqlPermitStore(SqliteDialect.ForFile(databasePath));

    public static IPermitStore CreatePostgres(NpgsqlDataSource dataSource) => new SqlPermitStore(new PostgresDialect(dataSource));
}
