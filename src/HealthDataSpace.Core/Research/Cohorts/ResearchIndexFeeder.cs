using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// Keeps the <see cref="ResearchIndex"/> current: committed writes through this gateway arrive at commit (as a commit
/// listener); <see cref="LoadAsync"/> fills it at start-up; <see cref="CatchUpAsync"/> picks up writes through other
/// replicas by re-reading what changed recently (an overlap window covers transactions that committed late), skipping
/// versions already indexed.
/// </summary>
internal sealed class ResearchIndexFeeder(IFhirStore store, ResearchIndex index) : IFhirCommitListener
{
    private const int PageSize = 1000;

    /// <summary>How far back each catch-up looks before the newest change seen.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);

    private DateTimeOffset _watermark = DateTimeOffset.MinValue;

    /// <summary>Stored resources that could not be read into the index (unparsable rows).</summary>
    public int Skipped { get; private set; }

    public bool Watches(string resourceType) => ResearchFacts.IndexedTypes.Contains(resourceType, StringComparer.Ordinal);

    public void Committed(IReadOnlyList<ResourceWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
        {
            // Validated by the strict parser before it was stored, so it parses; a listener must not throw anyway.
            try
            {
                index.Apply(write.Type, write.Id, write.Version, write.Json);
            }
            catch (Fhir.FhirException)
            {
                Skipped++;
            }
        }
    }

    public Task<int> LoadAsync(CancellationToken cancellationToken) => ReadAsync(since: null, cancellationToken);

    public Task<int> CatchUpAsync(CancellationToken cancellationToken) =>
        ReadAsync(_watermark == DateTimeOffset.MinValue ? null : _watermark - Overlap, cancellationToken);

    private async Task<int> ReadAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var applied = 0;
        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        foreach (var type in ResearchFacts.IndexedTypes)
        {
            if (since is null)
            {
                // Start-up: every current resource once, by keyset (offset paging would re-read the table per page).
                for (long? position = 0; position is { } after;)
                {
                    var page = await session.ScanAsync(type, after, PageSize, cancellationToken);
                    applied += Apply(page.Resources);
                    position = page.Next;
                }

                continue;
            }

            IReadOnlyList<SearchCriterion> criteria =
                [new SearchCriterion("_lastUpdated", SearchParamKind.Date, SearchModifier.None,
                    [new SearchValue(Prefix: SearchPrefix.Ge, Low: since.Value.UtcTicks, High: since.Value.UtcTicks + 1)])];
            for (var offset = 0; ; offset += PageSize)
            {
                var query = new SearchQuery(type, criteria, PageSize, offset, SearchSort.LastUpdatedAscending, CountOnly: false) { IncludeTotal = false };
                var page = await session.SearchAsync(query, ownerFilter: null, cancellationToken);
                applied += Apply(page.Resources);
                if (page.Resources.Count < PageSize)
                {
                    break;
                }
            }
        }

        return applied;
    }

    private int Apply(IReadOnlyList<StoredResource> resources)
    {
        var applied = 0;
        foreach (var stored in resources)
        {
            if (stored.LastUpdated > _watermark)
            {
                _watermark = stored.LastUpdated;
            }

            if (!index.Holds(stored.Type, stored.Id, stored.Version))
            {
                try
                {
                    index.Apply(stored.Type, stored.Id, stored.Version, stored.Json);
                    applied++;
                }
                catch (Fhir.FhirException)
                {
                    // A stored row that no longer parses (written around the API): it contributes no facts,
                    // and one bad row must not stop start-up or the catch-up loop.
                    Skipped++;
                }
            }
        }

        return applied;
    }
}
