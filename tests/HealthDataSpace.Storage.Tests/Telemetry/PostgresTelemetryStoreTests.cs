using HealthDataSpace.Storage.Telemetry;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>The telemetry contract against a real PostgreSQL server, in a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTelemetryStoreTests(PostgresServer server) : TelemetryStoreContract
{
    private PostgresTestDatabase? database;

    internal override async Task<TelemetryStorage> CreateStorageAsync()
    {
        database = await server.CreateTestDatabaseAsync();
        return TelemetryStoreFactory.CreatePostgres(database.DataSource);
    }

    internal override Task CorruptStoredValuesAsync(long sequence) =>
        ChangeOneRowAsync("UPDATE telemetry_readings SET vals = 'not json' WHERE seq = @seq", sequence);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
