using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// Fills the <see cref="ConsentIndex"/> from the store at start-up, oldest write first, so "newest wins" ties between
/// consents with the same <c>dateTime</c> are broken in the order they were written, as they were before the restart.
/// </summary>
public static class ConsentIndexLoader
{
    private const int PageSize = 1000;

    /// <summary>
    /// Returns how many consents were indexed and how many were skipped because the engine cannot enforce them
    /// (stored before validation existed, or by hand): those decide nothing, exactly as if they had been refused.
    /// </summary>
    public static async Task<(int Loaded, int Skipped)> LoadAsync(IFhirStore store, ConsentIndex index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(index);
        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        var loaded = 0;
        var skipped = 0;
        for (var offset = 0; ; offset += PageSize)
        {
            var query = new SearchQuery("Consent", [], PageSize, offset, SearchSort.LastUpdatedAscending, CountOnly: false)
            {
                IncludeTotal = false,
            };
            var page = await session.SearchAsync(query, ownerFilter: null, cancellationToken);
            foreach (var stored in page.Resources)
            {
                try
                {
                    ConsentIndexListener.Apply(index, stored.Id, stored.Version, stored.Json);
                    loaded++;
                }
                catch (FhirException)
                {
                    skipped++;
                }
            }

            if (page.Resources.Count < PageSize)
            {
                return (loaded, skipped);
            }
        }
    }
}
