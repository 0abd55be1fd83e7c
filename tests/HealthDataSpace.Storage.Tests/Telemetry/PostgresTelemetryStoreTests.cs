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

    internal override async Task CorruptStoredValuesAsync(long sequence)
    {
        await using var connection = await ((SqlTelemetryStore)Store).OpenAsync(CancellationToken.None);
        await using var corrupt = connection.CreateCommand();
        corrupt.CommandText = "UPDATE telemetry_readings SET vals = 'not json' WHERE seq = @seq";
        SqlTelemetryStore.Add(corrupt, "@seq", sequence);
        Assert.Equal(1, await corrupt.ExecuteNonQueryAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
