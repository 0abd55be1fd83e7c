using HealthDataSpace.Storage.Tests.Infrastructure;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Storage.Fhir;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>The store contract against the embedded SQLite file store.</summary>
public sealed class SqliteFhirStoreTests : FhirStoreContract
{
    private readonly SqliteTestFolder folder = new("hds-sqlite-");

    private string DatabasePath => folder.File("fhir.db");

    protected override Task<IFhirStore> CreateStoreAsync() =>
        Task.FromResult(FhirStoreFactory.CreateSqlite(DatabasePath));

    protected override async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public override Task DisposeAsync()
    {
        folder.Delete();
        return Task.CompletedTask;
    }
}
