using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Storage.Fhir;
using Npgsql;

namespace HealthDataSpace.Storage.Research;

/// <summary>Builds the permit and dataset stores beside the identified store: the same SQLite file or PostgreSQL database.</summary>
public static class PermitStoreFactory
{
    public static IPermitStore CreateSqlite(string databasePath) => new SqlPermitStore(SqliteDialect.ForFile(databasePath));

    public static IPermitStore CreatePostgres(NpgsqlDataSource dataSource) => new SqlPermitStore(new PostgresDialect(dataSource));

    public static IDatasetStore CreateDatasetStoreSqlite(string databasePath) => new SqlDatasetStore(SqliteDialect.ForFile(databasePath));

    public static IDatasetStore CreateDatasetStorePostgres(NpgsqlDataSource dataSource) => new SqlDatasetStore(new PostgresDialect(dataSource));
}
