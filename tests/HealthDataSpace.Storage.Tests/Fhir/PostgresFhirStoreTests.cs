using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Storage.Fhir;
using HealthDataSpace.Storage.Tests.Infrastructure;
using Npgsql;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>The store contract against a real PostgreSQL server, in a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFhirStoreTests(PostgresServer server) : FhirStoreContract
{
    private NpgsqlDataSource? dataSource;
    private string? database;

    protected override async Task<IFhirStore> CreateStoreAsync()
    {
        (dataSource, database) = await server.CreateDatabaseAsync();
        return FhirStoreFactory.CreatePostgres(dataSource);
    }

    public override async Task DisposeAsync()
    {
        if (dataSource is not null)
        {
            await dataSource.DisposeAsync();
        }

        if (database is not null)
        {
            await server.DropDatabaseAsync(database);
        }
    }
}
