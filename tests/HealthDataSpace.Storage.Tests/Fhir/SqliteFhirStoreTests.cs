using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Storage.Fhir;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>The store contract against the embedded SQLite file store.</summary>
public sealed class SqliteFhirStoreTests : FhirStoreContract
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hds-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<IFhirStore> CreateStoreAsync() =>
        Task.FromResult(FhirStoreFactory.CreateSqlite(Path.Combine(folder, "fhir.db")));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
