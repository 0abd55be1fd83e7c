using HealthDataSpace.Core.Fhir.Store;
using Npgsql;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>Builds the configured FHIR store: an SQLite file (embedded default) or PostgreSQL.</summary>
public static class FhirStoreFactory
{
    public static IFhirStore CreateSqlite(string databasePath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        return new SqlFhirStore(SqliteDialect.ForFile(databasePath));
    }

    /// <summary>The store over PostgreSQL; <paramref name="dataSource"/> is owned by the caller (DI).</summary>
    public static IFhirStore CreatePostgres(NpgsqlDataSource dataSource) => new SqlFhirStore(new PostgresDialect(dataSource));
}
