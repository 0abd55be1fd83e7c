using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Audit;

/// <summary>
/// The one component that writes the audit trail: each <see cref="AuditRecord"/> becomes a FHIR AuditEvent in the
/// store (searchable at <c>/fhir/AuditEvent</c>) plus a link of the hash chain, in the same transaction. Appends are
/// serialised by the <c>audit-chain</c> lock, so the chain has one order even with several gateway replicas.
/// </summary>
public sealed class AuditTrail(IFhirStore store, ResourceIndexer indexer, SearchQueryParser parser, AuditChainKey key, TimeProvider time)
{
    /// <summary>The owner recorded on AuditEvents: no client application owns them, only stewards see them.</summary>
    public const string Owner = "healthdataspace-audit";

    internal const string ChainLock = "audit-chain";

    private static readonly FhirRequestContext AuditContext = new(new AccessScope(Owner, SeesAll: true), "urn:healthdataspace:audit");

    /// <summary>Records an event in its own transaction; returns the AuditEvent's id.</summary>
    public async Task<string> RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(forWrite: true, cancellationToken);
        var id = await RecordInSessionAsync(session, record, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// Records an event inside a caller's transaction, so the event and what it audits commit (or roll back) together.
    /// </summary>
    public async Task<string> RecordInSessionAsync(IFhirStoreSession session, AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(record);
        await session.LockAsync(ChainLock, cancellationToken);
        var anchor = await session.ReadAuditAnchorAsync(cancellationToken);
        var audit = AuditEventFactory.Create(record, time.GetUtcNow());
        var writer = new ResourceWriter(session, AuditContext, indexer, parser, time, enforceReferentialIntegrity: false);
        var stored = await writer.WriteAsync(audit, ResourceWriter.NewId(), null, "POST", cancellationToken);

        var sequence = (anchor?.Sequence ?? 0) + 1;
        var previous = anchor?.Hash ?? AuditChainKey.Genesis;
        var hash = key.LinkHash(sequence, stored.Id, stored.Version, previous, stored.Json!);
        var link = new AuditLink(sequence, stored.Id, stored.Version, previous, hash);
        await session.AppendAuditLinkAsync(link, key.Anchor(link), cancellationToken);
        return stored.Id;
    }
}
