using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Storage.Research;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Research;

/// <summary>
/// Export jobs and the dataset registry on each backend: a job moves queued → running → one final state exactly once
/// (a cancel and a finish cannot both win), progress stops being accepted once cancelled, restarts fail unfinished
/// jobs, members are found by patient and withdrawn once, checkpoints persist.
/// </summary>
public abstract class DatasetStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private IDatasetStore? store;

    private IDatasetStore Store => store ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        store = await CreateStoreAsync();
        await store.InitializeAsync(CancellationToken.None);
        await store.InitializeAsync(CancellationToken.None); // idempotent
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IDatasetStore> CreateStoreAsync();

    private static ExportJob Job(string id) => new(id, "permit-1", "researcher-1", At, ExportStates.Queued, "queued");

    [Fact]
    public async Task Job_RunsOnce_CancelBeatsLaterFinish_ProgressRefusedAfterCancel()
    {
        await Store.CreateJobAsync(Job("j1"), CancellationToken.None);

        var started = await Store.StartJobAsync("j1", CancellationToken.None);
        var startedAgain = await Store.StartJobAsync("j1", CancellationToken.None);
        var progress = await Store.UpdateProgressAsync("j1", "Observation: 10000 resource(s) written", CancellationToken.None);
        var running = await Store.GetJobAsync("j1", CancellationToken.None);
        var cancelled = await Store.FinishJobAsync("j1", ExportStates.Cancelled, At.AddMinutes(1), null, null, CancellationToken.None);
        var finishedLater = await Store.FinishJobAsync("j1", ExportStates.Completed, At.AddMinutes(2), "{}", null, CancellationToken.None);
        var progressAfter = await Store.UpdateProgressAsync("j1", "more", CancellationToken.None);
        var final = await Store.GetJobAsync("j1", CancellationToken.None);

        Assert.True(started);
        Assert.False(startedAgain);
        Assert.True(progress);
        Assert.Equal((ExportStates.Running, "Observation: 10000 resource(s) written"), (running!.State, running.Progress));
        Assert.True(cancelled);
        Assert.False(finishedLater);
        Assert.False(progressAfter);
        Assert.Equal(ExportStates.Cancelled, final!.State);
        Assert.Equal(At.AddMinutes(1), final.Finished);
        Assert.Null(final.Result);
        Assert.Null(await Store.GetJobAsync("missing", CancellationToken.None));
    }

    [Fact]
    public async Task FailUnfinished_MarksQueuedAndRunningOnly()
    {
        foreach (var id in new[] { "queued", "running", "done" })
        {
            await Store.CreateJobAsync(Job(id), CancellationToken.None);
        }

        await Store.StartJobAsync("running", CancellationToken.None);
        await Store.StartJobAsync("done", CancellationToken.None);
        await Store.FinishJobAsync("done", ExportStates.Completed, At, "{\"output\":[]}", null, CancellationToken.None);

        var failed = await Store.FailUnfinishedJobsAsync(At.AddHours(1), "interrupted", CancellationToken.None);

        Assert.Equal(2, failed);
        Assert.Equal(("failed", "interrupted"), ((await Store.GetJobAsync("queued", CancellationToken.None))!.State, (await Store.GetJobAsync("queued", CancellationToken.None))!.Error));
        Assert.Equal(ExportStates.Failed, (await Store.GetJobAsync("running", CancellationToken.None))!.State);
        var done = (await Store.GetJobAsync("done", CancellationToken.None))!;
        Assert.Equal((ExportStates.Completed, "{\"output\":[]}"), (done.State, done.Result));
    }

    [Fact]
    public async Task Dataset_MembersByPatient_WithdrawOnce_LinksJob_Checkpoint()
    {
        await Store.CreateJobAsync(Job("j2"), CancellationToken.None);
        var members = Enumerable.Range(0, 1000).Select(i => new DatasetMember("ds-1", $"Patient/p{i}", $"pseudo-{i}")).ToList();
        await Store.SaveDatasetAsync(new DatasetRecord("ds-1", "permit-1", "j2", "recipient-x", "datasets/ds-1", At, "{\"@id\":\"x\"}"), members, CancellationToken.None);
        await Store.SaveDatasetAsync(new DatasetRecord("ds-2", "permit-1", "j3", "recipient-x", "datasets/ds-2", At.AddMinutes(1), "{}"),
            [new DatasetMember("ds-2", "Patient/p7", "other-7")], CancellationToken.None);

        var ofP7 = await Store.ActiveMembershipsAsync("Patient/p7", CancellationToken.None);
        var first = await Store.MarkWithdrawnAsync("ds-1", "Patient/p7", At.AddDays(1), CancellationToken.None);
        var again = await Store.MarkWithdrawnAsync("ds-1", "Patient/p7", At.AddDays(2), CancellationToken.None);
        var ofP7After = await Store.ActiveMembershipsAsync("Patient/p7", CancellationToken.None);
        var active = await Store.ActiveMembersAsync("ds-1", CancellationToken.None);
        await Store.SetCheckpointAsync("c", 41, CancellationToken.None);
        await Store.SetCheckpointAsync("c", 42, CancellationToken.None);

        Assert.Equal([("ds-1", "pseudo-7"), ("ds-2", "other-7")], ofP7.Select(m => (m.DatasetId, m.Pseudonym)));
        Assert.True(first);
        Assert.False(again);
        Assert.Equal(["ds-2"], ofP7After.Select(m => m.DatasetId));
        Assert.Equal(999, active.Count);
        Assert.Equal(1, await Store.CountWithdrawnAsync("ds-1", CancellationToken.None));
        Assert.Equal("ds-1", (await Store.GetJobAsync("j2", CancellationToken.None))!.DatasetId);
        Assert.Equal(["ds-2", "ds-1"], (await Store.ListDatasetsAsync(CancellationToken.None)).Select(d => d.Id));
        Assert.Equal("{\"@id\":\"x\"}", (await Store.GetDatasetAsync("ds-1", CancellationToken.None))!.CatalogEntry);
        Assert.Equal(42, await Store.GetCheckpointAsync("c", CancellationToken.None));
        Assert.Equal(0, await Store.GetCheckpointAsync("unknown", CancellationToken.None));
    }
}

public sealed class SqliteDatasetStoreTests : DatasetStoreContract
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hds-datasets-" + Guid.NewGuid().ToString("N"));

    protected override Task<IDatasetStore> CreateStoreAsync() =>
        Task.FromResult(PermitStoreFactory.CreateDatasetStoreSqlite(Path.Combine(Directory.CreateDirectory(folder).FullName, "hds.db")));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDatasetStoreTests(PostgresServer server) : DatasetStoreContract
{
    private PostgresTestDatabase? database;

    protected override async Task<IDatasetStore> CreateStoreAsync()
    {
        database = await server.CreateTestDatabaseAsync();
        return PermitStoreFactory.CreateDatasetStorePostgres(database.DataSource);
    }

    public override async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
