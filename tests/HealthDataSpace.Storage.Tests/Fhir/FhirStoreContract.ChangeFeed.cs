using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>
/// Change feeds (how gateway replicas learn of consents written elsewhere): appends are numbered in commit order,
/// rolled-back appends leave no trace, and a second index following the feed catches up with the first.
/// </summary>
public abstract partial class FhirStoreContract
{
    private async Task<long> AppendAsync(string feed, string id, bool commit = true)
    {
        await using var session = await Engine.Store.OpenSessionAsync(forWrite: true, CancellationToken.None);
        await session.LockAsync("change-feed-" + feed, CancellationToken.None);
        var sequence = await session.AppendChangeAsync(feed, id, CancellationToken.None);
        if (commit)
        {
            await session.CommitAsync(CancellationToken.None);
        }

        return sequence;
    }

    private async Task<IReadOnlyList<FeedChange>> ReadFeedAsync(string feed, long after)
    {
        await using var session = await Engine.Store.OpenSessionAsync(forWrite: false, CancellationToken.None);
        return await session.ReadChangesAsync(feed, after, 100, CancellationToken.None);
    }

    [Fact]
    public async Task ChangeFeed_AppendsInOrder_PerFeed_RollbackLeavesNoTrace()
    {
        await AppendAsync("consent", "a");
        await AppendAsync("other", "x");
        await AppendAsync("consent", "b", commit: false);
        await AppendAsync("consent", "c");

        var all = await ReadFeedAsync("consent", 0);
        var after1 = await ReadFeedAsync("consent", 1);

        Assert.Equal([new FeedChange(1, "a"), new FeedChange(2, "c")], all);
        Assert.Equal([new FeedChange(2, "c")], after1);
        Assert.Single(await ReadFeedAsync("other", 0));
    }

    [Fact]
    public async Task ChangeFeed_ConcurrentWriters_GetDistinctContiguousNumbers()
    {
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => AppendAsync("consent", $"c{i}"))));

        var all = await ReadFeedAsync("consent", 0);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), all.Select(c => c.Sequence));
        Assert.Equal(12, all.Select(c => c.ResourceId).Distinct().Count());
    }

    [Fact]
    public async Task ConsentIndexSync_SecondReplica_SeesConsentWrittenThroughTheFirst()
    {
        // Two replicas: the engine here writes (with the consent write hook), "other" only follows the feed.
        var trail = Trail;
        var writer = new Core.Fhir.FhirService(Engine.Store, new Core.Fhir.Search.ResourceIndexer(Core.Fhir.Search.SearchParameterRegistry.Shared),
            new Core.Fhir.Search.SearchQueryParser(Core.Fhir.Search.SearchParameterRegistry.Shared, new Core.Fhir.FhirOptions()),
            new Core.Fhir.FhirOptions { EnforceReferentialIntegrity = false }, TimeProvider.System, [new ConsentWriteHook(trail, TimeProvider.System)]);
        var other = new ConsentIndex(ConsentDefaults.OptInEverywhere);
        using var sync = new ConsentIndexSync(Engine.Store, other);
        await sync.LoadAsync(CancellationToken.None);
        var question = new ConsentDecisionRequest("Patient/p1", "HRESCH", "ResearchStudy/cardio", "Observation",
            Date: new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero), At: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var before = other.Evaluate(question);
        var written = await writer.CreateAsync(Infrastructure.FhirTestEngine.HospitalA,
            ConsentFixtures.Parse(ConsentFixtures.Research("Patient/p1")), null, CancellationToken.None);
        var applied = await sync.EnsureCurrentAsync(CancellationToken.None);
        var after = other.Evaluate(question);
        await writer.DeleteAsync(Infrastructure.FhirTestEngine.HospitalA, "Consent", written.Resource.Id, null, CancellationToken.None);
        await sync.EnsureCurrentAsync(CancellationToken.None);
        var afterDelete = other.Evaluate(question);

        Assert.False(before.Permit);
        Assert.Equal(1, applied);
        Assert.True(after.Permit);
        Assert.Equal($"Consent/{written.Resource.Id}/_history/1", after.Consent);
        Assert.False(afterDelete.Permit);
        Assert.Equal(2, sync.Position);
    }
}
