using HealthDataSpace.Core.Research;
using HealthDataSpace.Storage.Research;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Research;

/// <summary>The permit store on each backend: round trip, listing order, revocation once.</summary>
public abstract class PermitStoreContract : IAsyncLifetime
{
    private IPermitStore? store;

    private IPermitStore Store => store ?? throw new InvalidOperationException("Not initialised.");

    private static DataPermit Permit(string id, int minutes) => new(id, "proj", "Title", "Organization/o", ["r-1", "r-2"], "HRESCH",
        ["Patient", "Observation"], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        [PermitOutputs.Aggregate], System.Text.Json.JsonDocument.Parse("""{"condition":{"code":"http://snomed.info/sct|44054006"}}""").RootElement,
        DataPermit.DefaultPolicy, new DateTimeOffset(2026, 2, 1, 10, minutes, 0, TimeSpan.Zero), "steward-oid");

    public async Task InitializeAsync()
    {
        store = await CreateStoreAsync();
        await store.InitializeAsync(CancellationToken.None);
        await store.InitializeAsync(CancellationToken.None); // idempotent
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IPermitStore> CreateStoreAsync();

    [Fact]
    public async Task CreateGet_RoundTripsEveryField()
    {
        var permit = Permit("a", 0);
        await Store.CreateAsync(permit, CancellationToken.None);

        var read = await Store.GetAsync("a", CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(permit.Researchers, read.Researchers);
        Assert.Equal(permit.ResourceTypes, read.ResourceTypes);
        Assert.Equal(permit.ValidTo, read.ValidTo);
        Assert.Equal("http://snomed.info/sct|44054006", read.Cohort!.Value.GetProperty("condition").GetProperty("code").GetString());
        Assert.Equal(permit with { Researchers = read.Researchers, ResourceTypes = read.ResourceTypes, Outputs = read.Outputs, Cohort = read.Cohort }, read);
        Assert.Null(await Store.GetAsync("missing", CancellationToken.None));
    }

    [Fact]
    public async Task List_NewestFirst_RevokeOnce()
    {
        await Store.CreateAsync(Permit("old", 0), CancellationToken.None);
        await Store.CreateAsync(Permit("new", 5), CancellationToken.None);
        var at = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

        var first = await Store.RevokeAsync("old", at, CancellationToken.None);
        var second = await Store.RevokeAsync("old", at.AddDays(1), CancellationToken.None);
        var unknown = await Store.RevokeAsync("missing", at, CancellationToken.None);
        var all = await Store.ListAsync(CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        Assert.False(unknown);
        Assert.Equal(["new", "old"], all.Select(p => p.Id));
        Assert.Equal(at, all[1].Revoked);
        Assert.Equal("revoked", all[1].Status(at));
        Assert.Null(all[0].Revoked);
    }
}

public sealed class SqlitePermitStoreTests : PermitStoreContract
{
    private readonly SqliteTestFolder folder = new("hds-permits-");

    protected override Task<IPermitStore> CreateStoreAsync() => Task.FromResult(PermitStoreFactory.CreateSqlite(folder.File("hds.db")));

    public override Task DisposeAsync()
    {
        folder.Delete();
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPermitStoreTests(PostgresServer server) : PermitStoreContract
{
    private PostgresTestDatabase? database;

    protected override async Task<IPermitStore> CreateStoreAsync()
    {
        database = await server.CreateTestDatabaseAsync();
        return PermitStoreFactory.CreatePostgres(database.DataSource);
    }

    public override async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
