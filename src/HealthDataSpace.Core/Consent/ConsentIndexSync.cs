using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// Keeps this process's <see cref="ConsentIndex"/> current with consents written through <em>other</em> gateway
/// replicas. Every Consent write appends its id to the <c>consent</c> change feed in its own transaction (under a lock
/// held until commit, so feed order is commit order). <see cref="EnsureCurrentAsync"/> applies whatever the feed holds
/// beyond what this process has seen: call it before any decision that releases data (it costs one small query when
/// nothing changed), and a background loop calls it every few seconds. Writes through this process are indexed at
/// commit already (<see cref="ConsentIndexListener"/>); re-applying them here is a no-op.
/// </summary>
public sealed class ConsentIndexSync(IFhirStore store, ConsentIndex index) : IDisposable
{
    public const string Feed = "consent";
    internal const string FeedLock = "change-feed-" + Feed;
    private const int PageSize = 1000;

    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private long _seen;

    /// <summary>The feed position this index reflects.</summary>
    public long Position => Interlocked.Read(ref _seen);

    /// <summary>Loads every stored consent and starts following the feed from where it stood before loading.</summary>
    public async Task<(int Loaded, int Skipped)> LoadAsync(CancellationToken cancellationToken)
    {
        long start;
        await using (var session = await store.OpenSessionAsync(forWrite: false, cancellationToken))
        {
            start = await session.ReadFeedPositionAsync(Feed, cancellationToken);
        }

        var result = await ConsentIndexLoader.LoadAsync(store, index, cancellationToken);
        Interlocked.Exchange(ref _seen, start);
        // Changes committed while loading are applied again: harmless, versions older than the indexed one are ignored.
        await EnsureCurrentAsync(cancellationToken);
        return result;
    }

    /// <summary>Applies every consent change committed since the last call; returns how many were applied.</summary>
    public async Task<int> EnsureCurrentAsync(CancellationToken cancellationToken)
    {
        await _catchUp.WaitAsync(cancellationToken);
        try
        {
            await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
            var applied = 0;
            while (true)
            {
                var changes = await session.ReadChangesAsync(Feed, _seen, PageSize, cancellationToken);
                foreach (var id in changes.Select(c => c.ResourceId).Distinct(StringComparer.Ordinal))
                {
                    var current = await session.ReadAsync("Consent", id, cancellationToken);
                    if (current is null)
                    {
                        continue;
                    }

                    try
                    {
                        ConsentIndexListener.Apply(index, current.Id, current.Version, current.Json);
                        applied++;
                    }
                    catch (Fhir.FhirException)
                    {
                        // Unenforceable (written around the API): it decides nothing, as if it had been refused.
                    }
                }

                if (changes.Count > 0)
                {
                    Interlocked.Exchange(ref _seen, changes[^1].Sequence);
                }

                if (changes.Count < PageSize)
                {
                    return applied;
                }
            }
        }
        finally
        {
            _catchUp.Release();
        }
    }

    public void Dispose() => _catchUp.Dispose();
}
