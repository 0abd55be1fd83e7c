using HealthDataSpace.Storage.Telemetry;
using HealthDataSpace.Storage.Tests.Infrastructure;
using Npgsql;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>The telemetry contract against a real PostgreSQL server, in a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTelemetryStoreTests(PostgresServer server) : TelemetryStoreContract
{
    private NpgsqlDataSource? dataSource;
    private string? database;

    internal override async Task<TelemetryStorage> CreateStorageAsync()
    {
        (dataSource, database) = await server.CreateDatabaseAsync();
        return TelemetryStoreFactory.CreatePostgres(dataSource);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
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
