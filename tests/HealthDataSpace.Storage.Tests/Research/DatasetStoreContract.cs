using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Storage.Research;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Research;

/// <summary>
/// Export jobs and the dataset registry on each backend: a job is claimed once, oldest first, and moves to one final
/// state exactly once (a cancel and a finish cannot both win); progress stops being accepted once cancelled; only
/// running jobs without a recent heartbeat are failed as stale; members are found by patient and withdrawn once;
/// checkpoints persist.
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

    private static ExportJob Job(string id, int minute = 0) =>
        new(id, "permit-1", "researcher-1", "portal", "http://gw/research/permits/permit-1/$export", At.AddMinutes(minute), ExportStates.Queued, "queued");

    /// <summary>Creates the jobs a minute apart and claims them all, so each is running.</summary>
    private async Task StartJobsAsync(params string[] ids)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            await Store.CreateJobAsync(Job(ids[i], minute: i), CancellationToken.None);
        }

        foreach (var _ in ids)
        {
            Assert.NotNull(await Store.ClaimNextJobAsync(At, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Job_RunsOnce_CancelBeatsLaterFinish_ProgressRefusedAfterCancel()
    {
        await Store.CreateJobAsync(Job("j1"), CancellationToken.None);

        var claimed = await Store.ClaimNextJobAsync(At, CancellationToken.None);
        var claimedAgain = await Store.ClaimNextJobAsync(At, CancellationToken.None);
        var progress = await Store.UpdateProgressAsync("j1", "Observation: 10000 resource(s) written", At, CancellationToken.None);
        var running = await Store.GetJobAsync("j1", CancellationToken.None);
        var cancelled = await Store.FinishJobAsync("j1", ExportStates.Cancelled, At.AddMinutes(1), null, null, CancellationToken.None);
        var finishedLater = await Store.FinishJobAsync("j1", ExportStates.Completed, At.AddMinutes(2), "{}", null, CancellationToken.None);
        var progressAfter = await Store.UpdateProgressAsync("j1", "more", At, CancellationToken.None);
        var final = await Store.GetJobAsync("j1", CancellationToken.None);

        Assert.Equal(("j1", ExportStates.Running, "portal"), (claimed!.Id, claimed.State, claimed.ClientId));
        Assert.Equal("http://gw/research/permits/permit-1/$export", claimed.RequestUrl);
        Assert.Null(claimedAgain);
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
    public async Task Claim_OldestFirst_ConcurrentClaimsTakeEachJobOnce_StaleRunningJobsFail()
    {
        for (var i = 0; i < 6; i++)
        {
            await Store.CreateJobAsync(Job($"c{i}", minute: 10 - i), CancellationToken.None);
        }

        var first = await Store.ClaimNextJobAsync(At, CancellationToken.None);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.ClaimNextJobAsync(At.AddMinutes(5), CancellationToken.None))));
        var claimed = concurrent.OfType<ExportJob>().Select(j => j.Id).ToList();
        var duplicates = claimed.Count - claimed.Distinct().Count();
        while (await Store.ClaimNextJobAsync(At.AddMinutes(5), CancellationToken.None) is { } more)
        {
            claimed.Add(more.Id);
        }

        var beat = await Store.UpdateProgressAsync("c4", "beating", At.AddMinutes(9), CancellationToken.None);

        var stale = await Store.FailStaleJobsAsync(At.AddMinutes(8), At.AddMinutes(10), "interrupted", CancellationToken.None);

        Assert.Equal("c5", first!.Id);
        Assert.Equal(0, duplicates);
        Assert.Equal(["c0", "c1", "c2", "c3", "c4"], claimed.Order(StringComparer.Ordinal));
        Assert.True(beat);
        Assert.Equal(5, stale);
        Assert.Equal(("failed", "interrupted"), ((await Store.GetJobAsync("c5", CancellationToken.None))!.State, (await Store.GetJobAsync("c5", CancellationToken.None))!.Error));
        Assert.Equal(ExportStates.Running, (await Store.GetJobAsync("c4", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Dataset_MembersByPatient_WithdrawOnce_LinksJob_Checkpoint()
    {
        await StartJobsAsync("j2", "j3");
        var members = Enumerable.Range(0, 1000).Select(i => new DatasetMember("ds-1", $"Patient/p{i}", $"pseudo-{i}")).ToList();
        Assert.True(await Store.CompleteJobAsync(new DatasetRecord("ds-1", "permit-1", "j2", "recipient-x", "datasets/ds-1", At, "{\"@id\":\"x\"}"),
            members, "{\"manifest\":1}", At.AddMinutes(3), CancellationToken.None));
        Assert.True(await Store.CompleteJobAsync(new DatasetRecord("ds-2", "permit-1", "j3", "recipient-x", "datasets/ds-2", At.AddMinutes(1), "{}"),
            [new DatasetMember("ds-2", "Patient/p7", "other-7")], "{}", At.AddMinutes(4), CancellationToken.None));

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
        var completed = (await Store.GetJobAsync("j2", CancellationToken.None))!;
        Assert.Equal(("ds-1", ExportStates.Completed, "{\"manifest\":1}", At.AddMinutes(3)), (completed.DatasetId, completed.State, completed.Result, completed.Finished));
        Assert.Equal(["ds-2", "ds-1"], (await Store.ListDatasetsAsync(CancellationToken.None)).Select(d => d.Id));
        Assert.Equal("{\"@id\":\"x\"}", (await Store.GetDatasetAsync("ds-1", CancellationToken.None))!.CatalogEntry);
        Assert.Equal(42, await Store.GetCheckpointAsync("c", CancellationToken.None));
        Assert.Equal(0, await Store.GetCheckpointAsync("unknown", CancellationToken.None));
    }

    [Fact]
    public async Task CompleteJob_AfterCancel_RegistersNothing_AndCancelAfterCompleteLoses()
    {
        await StartJobsAsync("late", "done");
        var cancelled = await Store.FinishJobAsync("late", ExportStates.Cancelled, At.AddMinutes(1), null, null, CancellationToken.None);

        var completedAfterCancel = await Store.CompleteJobAsync(new DatasetRecord("ds-late", "permit-1", "late", "recipient-x", "datasets/ds-late", At, "{}"),
            [new DatasetMember("ds-late", "Patient/p1", "pseudo-1")], "{}", At.AddMinutes(2), CancellationToken.None);
        var completed = await Store.CompleteJobAsync(new DatasetRecord("ds-done", "permit-1", "done", "recipient-x", "datasets/ds-done", At, "{}"),
            [new DatasetMember("ds-done", "Patient/p2", "pseudo-2")], "{}", At.AddMinutes(2), CancellationToken.None);
        var cancelAfterComplete = await Store.FinishJobAsync("done", ExportStates.Cancelled, At.AddMinutes(3), null, null, CancellationToken.None);

        Assert.True(cancelled);
        Assert.False(completedAfterCancel);
        Assert.Null(await Store.GetDatasetAsync("ds-late", CancellationToken.None));
        Assert.Empty(await Store.ActiveMembershipsAsync("Patient/p1", CancellationToken.None));
        var late = (await Store.GetJobAsync("late", CancellationToken.None))!;
        Assert.Equal((ExportStates.Cancelled, (string?)null), (late.State, late.DatasetId));
        Assert.True(completed);
        Assert.False(cancelAfterComplete);
        Assert.Equal(ExportStates.Completed, (await Store.GetJobAsync("done", CancellationToken.None))!.State);
        Assert.Equal(["ds-done"], (await Store.ListDatasetsAsync(CancellationToken.None)).Select(d => d.Id));
    }
}

public sealed class SqliteDatasetStoreTests : DatasetStoreContract
{
    private readonly SqliteTestFolder folder = new("hds-datasets-");

    protected override Task<IDatasetStore> CreateStoreAsync() => Task.FromResult(PermitStoreFactory.CreateDatasetStoreSqlite(folder.File("hds.db")));

    public override Task DisposeAsync()
    {
        folder.Delete();
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
