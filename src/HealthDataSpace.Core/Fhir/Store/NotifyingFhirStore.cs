using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Fhir.Store;

/// <summary>
/// Wraps a store so that <see cref="IFhirCommitListener"/>s hear of watched writes once they are committed: writes
/// rolled back (a failed transaction, a batch entry undone to its savepoint) are never reported.
/// </summary>
public sealed class NotifyingFhirStore(IFhirStore inner, IEnumerable<IFhirCommitListener> listeners) : IFhirStore
{
    private readonly IFhirCommitListener[] listeners = [.. listeners];

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public async Task<IFhirStoreSession> OpenSessionAsync(bool forWrite, CancellationToken cancellationToken)
    {
        var session = await inner.OpenSessionAsync(forWrite, cancellationToken);
        return forWrite && listeners.Length > 0 ? new Session(session, listeners) : session;
    }

    private sealed class Session(IFhirStoreSession inner, IFhirCommitListener[] listeners) : IFhirStoreSession
    {
        private readonly List<ResourceWrite> watched = [];
        private int savepointMark = -1;

        public Task<StoredResource?> ReadAsync(string type, string id, CancellationToken cancellationToken) =>
            inner.ReadAsync(type, id, cancellationToken);

        public Task<StoredResource?> ReadVersionAsync(string type, string id, long version, CancellationToken cancellationToken) =>
            inner.ReadVersionAsync(type, id, version, cancellationToken);

        public Task<SearchResult> HistoryAsync(string type, string id, int count, int offset, CancellationToken cancellationToken) =>
            inner.HistoryAsync(type, id, count, offset, cancellationToken);

        public Task<SearchResult> SearchAsync(SearchQuery query, string? ownerFilter, CancellationToken cancellationToken) =>
            inner.SearchAsync(query, ownerFilter, cancellationToken);

        public Task<ScanPage> ScanAsync(string type, long afterPosition, int limit, CancellationToken cancellationToken) =>
            inner.ScanAsync(type, afterPosition, limit, cancellationToken);

        public async Task SaveAsync(ResourceWrite write, CancellationToken cancellationToken)
        {
            await inner.SaveAsync(write, cancellationToken);
            if (Array.Exists(listeners, l => l.Watches(write.Type)))
            {
                watched.Add(write);
            }
        }

        public Task LockAsync(string key, CancellationToken cancellationToken) => inner.LockAsync(key, cancellationToken);

        public async Task SavepointAsync(CancellationToken cancellationToken)
        {
            await inner.SavepointAsync(cancellationToken);
            savepointMark = watched.Count;
        }

        public async Task ReleaseSavepointAsync(CancellationToken cancellationToken)
        {
            await inner.ReleaseSavepointAsync(cancellationToken);
            savepointMark = -1;
        }

        public async Task RollbackToSavepointAsync(CancellationToken cancellationToken)
        {
            await inner.RollbackToSavepointAsync(cancellationToken);
            if (savepointMark >= 0)
            {
                watched.RemoveRange(savepointMark, watched.Count - savepointMark);
            }

            savepointMark = -1;
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await inner.CommitAsync(cancellationToken);
            if (watched.Count == 0)
            {
                return;
            }

            foreach (var listener in listeners)
            {
                var mine = watched.Where(w => listener.Watches(w.Type)).ToList();
                if (mine.Count > 0)
                {
                    listener.Committed(mine);
                }
            }

            watched.Clear();
        }

        public Task<long> AppendChangeAsync(string feed, string resourceId, CancellationToken cancellationToken) =>
            inner.AppendChangeAsync(feed, resourceId, cancellationToken);

        public Task<IReadOnlyList<FeedChange>> ReadChangesAsync(string feed, long afterSequence, int limit, CancellationToken cancellationToken) =>
            inner.ReadChangesAsync(feed, afterSequence, limit, cancellationToken);

        public Task<long> ReadFeedPositionAsync(string feed, CancellationToken cancellationToken) =>
            inner.ReadFeedPositionAsync(feed, cancellationToken);

        public Task<AuditAnchor?> ReadAuditAnchorAsync(CancellationToken cancellationToken) => inner.ReadAuditAnchorAsync(cancellationToken);

        public Task AppendAuditLinkAsync(AuditLink link, AuditAnchor anchor, CancellationToken cancellationToken) =>
            inner.AppendAuditLinkAsync(link, anchor, cancellationToken);

        public Task<IReadOnlyList<AuditChainEntry>> ReadAuditChainAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
            inner.ReadAuditChainAsync(afterSequence, limit, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
