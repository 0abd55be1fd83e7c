using HealthDataSpace.Storage.Tests.Infrastructure;
using HealthDataSpace.Storage.Telemetry;

namespace HealthDataSpace.Storage.Tests.Telemetry;

/// <summary>The telemetry contract against the embedded SQLite store (synchronous=FULL, the default).</summary>
public sealed class SqliteTelemetryStoreTests : TelemetryStoreContract
{
    private readonly SqliteTestFolder folder = new("hds-telemetry-");

    private string DatabasePath => folder.File("telemetry.db");

    internal override Task<TelemetryStorage> CreateStorageAsync() =>
        Task.FromResult(TelemetryStoreFactory.CreateSqlite(DatabasePath, fullSync: true));

    /// <summary>Cuts the block holding the reading short (each contract append stores its own block).</summary>
    internal override Task CorruptStoredValuesAsync(long sequence) =>
        ChangeOneRowAsync("UPDATE telemetry_blocks SET data = substr(data, 1, length(data) - 3) WHERE first_seq = @seq AND readings = 1", sequence);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        folder.Delete();
    }

    [Fact]
    public async Task Append_ThenReopenFile_EverythingStillThere()
    {
        await Store.AppendAsync([Message("dev-1", "m1", ("hr", T0, "72"))], CancellationToken.None);

        var reopened = TelemetryStoreFactory.CreateSqlite(DatabasePath, fullSync: false);
        await reopened.Store.InitializeAsync(CancellationToken.None);
        var retry = await reopened.Store.AppendAsync([Message("dev-1", "m1", ("hr", T0, "72"))], CancellationToken.None);
        var page = await reopened.Store.QueryAsync(new Core.Telemetry.Store.ReadingQuery("dev-1", null, null, null, null, 10), CancellationToken.None);
        await ((IAsyncDisposable)reopened.Store).DisposeAsync();

        Assert.Equal([false], retry);
        Assert.Equal("72", Assert.Single(page.Readings).Reading.Values[0].Value);
    }
}
