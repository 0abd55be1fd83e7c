using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>
/// The FHIR store contract: every backend must behave identically. Each backend's test class derives from this
/// and supplies a fresh, empty store. The facts live in the partial files beside this one.
/// </summary>
public abstract partial class FhirStoreContract : IAsyncLifetime
{
    private FhirTestEngine? engine;

    internal FhirTestEngine Engine => engine ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        var store = await CreateStoreAsync();
        await store.InitializeAsync(CancellationToken.None);
        engine = new FhirTestEngine(store);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IFhirStore> CreateStoreAsync();

    /// <summary>Runs SQL straight against the database, as someone with database access (not the gateway) would.</summary>
    protected abstract Task<int> ExecuteSqlAsync(string sql);
}
