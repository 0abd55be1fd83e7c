using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Fhir.Store;

/// <summary>
/// The identified FHIR store: versioned resources plus their search-index rows. Implemented by SQLite (embedded
/// default) and PostgreSQL; one contract test suite runs against both.
/// </summary>
public interface IFhirStore
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a unit of work. A write session is one database transaction: nothing it wrote is visible to others
    /// until <see cref="IFhirStoreSession.CommitAsync"/>, and disposing it uncommitted rolls everything back.
    /// </summary>
    Task<IFhirStoreSession> OpenSessionAsync(bool forWrite, CancellationToken cancellationToken);
}

/// <summary>One unit of work over the store; see <see cref="IFhirStore.OpenSessionAsync"/>.</summary>
public interface IFhirStoreSession : IAsyncDisposable
{
    /// <summary>The current version's metadata (and body unless deleted), or null if the id was never used.</summary>
    Task<StoredResource?> ReadAsync(string type, string id, CancellationToken cancellationToken);

    Task<StoredResource?> ReadVersionAsync(string type, string id, long version, CancellationToken cancellationToken);

    /// <summary>Versions of one resource, newest first.</summary>
    Task<SearchResult> HistoryAsync(string type, string id, int count, int offset, CancellationToken cancellationToken);

    Task<SearchResult> SearchAsync(SearchQuery query, string? ownerFilter, CancellationToken cancellationToken);

    /// <summary>
    /// The current, not deleted resources of a type in storage order, after <paramref name="afterPosition"/> (0 to
    /// start): keyset paging, so reading page N costs the same as page 1 however large the table (exports).
    /// </summary>
    Task<ScanPage> ScanAsync(string type, long afterPosition, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new version and replaces the resource's index rows. Throws <see cref="FhirException"/> 409 when
    /// another writer got there first (the current version is not <c>write.Version - 1</c>).
    /// </summary>
    Task SaveAsync(ResourceWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// Serialises writers that must not interleave, such as two conditional creates with the same criteria,
    /// until this session ends. A no-op where the store already has a single writer.
    /// </summary>
    Task LockAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a point this session can roll back to without losing what came before: a batch bundle runs every entry
    /// inside one session and rolls back only the entries that fail. Savepoints do not nest here.
    /// </summary>
    Task SavepointAsync(CancellationToken cancellationToken);

    /// <summary>Keeps everything since the savepoint.</summary>
    Task ReleaseSavepointAsync(CancellationToken cancellationToken);

    /// <summary>Undoes everything since the savepoint and releases it.</summary>
    Task RollbackToSavepointAsync(CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>Appends a change to feed <paramref name="feed"/> in this transaction and returns its sequence number.
    /// Take the lock <c>change-feed-{feed}</c> first, so sequence order is commit order.</summary>
    Task<long> AppendChangeAsync(string feed, string resourceId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> changes of a feed after <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<FeedChange>> ReadChangesAsync(string feed, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>The newest sequence number of a feed, 0 when it is empty.</summary>
    Task<long> ReadFeedPositionAsync(string feed, CancellationToken cancellationToken);

    /// <summary>The audit chain's stored head, or null while the chain is empty. Take the <c>audit-chain</c> lock first
    /// when appending.</summary>
    Task<AuditAnchor?> ReadAuditAnchorAsync(CancellationToken cancellationToken);

    /// <summary>Appends a link (its AuditEvent saved in this session) and moves the anchor to it.</summary>
    Task AppendAuditLinkAsync(AuditLink link, AuditAnchor anchor, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> links after <paramref name="afterSequence"/>, in order, each with what the
    /// store holds for its AuditEvent now.</summary>
    Task<IReadOnlyList<AuditChainEntry>> ReadAuditChainAsync(long afterSequence, int limit, CancellationToken cancellationToken);
}
