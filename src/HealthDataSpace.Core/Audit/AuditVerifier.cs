using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Audit;

/// <summary>The answer of <c>GET /audit/$verify</c>.</summary>
/// <param name="Valid">True when every entry, the links between them, the anchor and the AuditEvent count agree.</param>
/// <param name="Entries">How many chain links were read.</param>
/// <param name="FirstBrokenAt">Sequence number of the first entry found missing or altered, or null.</param>
/// <param name="Problem">What is wrong, in words, or null. Never contains audit content.</param>
public sealed record AuditVerification(bool Valid, long Entries, long? FirstBrokenAt, string? Problem);

/// <summary>
/// Walks the whole audit chain and re-computes every link from what the store holds now. Detects an altered or
/// deleted AuditEvent, a deleted, inserted or re-ordered link, removal of the newest entries (against the sealed
/// anchor), and AuditEvents that bypassed the chain.
/// </summary>
public sealed class AuditVerifier(IFhirStore store, AuditChainKey key)
{
    private const int PageSize = 1000;

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        long expected = 1;
        var previous = AuditChainKey.Genesis;
        long entries = 0;
        while (true)
        {
            var page = await session.ReadAuditChainAsync(expected - 1, PageSize, cancellationToken);
            foreach (var entry in page)
            {
                entries++;
                if (Check(entry, expected, previous) is { } problem)
                {
                    return new AuditVerification(false, entries, Math.Min(expected, entry.Link.Sequence), problem);
                }

                previous = entry.Link.Hash;
                expected++;
            }

            if (page.Count < PageSize)
            {
                break;
            }
        }

        var anchor = await session.ReadAuditAnchorAsync(cancellationToken);
        if (anchor is null ? entries > 0 : anchor.Mac != key.AnchorMac(anchor.Sequence, anchor.Hash))
        {
            return new AuditVerification(false, entries, 1, "The chain's anchor is missing or was altered.");
        }

        if (anchor is not null && (anchor.Sequence != entries || anchor.Hash != previous))
        {
            return new AuditVerification(false, entries, entries + 1,
                $"The anchor seals entry {anchor.Sequence}, but the chain ends at entry {entries}: the newest entries were removed.");
        }

        var stored = await CountAuditEventsAsync(session, cancellationToken);
        return stored == entries
            ? new AuditVerification(true, entries, null, null)
            : new AuditVerification(false, entries, entries + 1,
                $"The store holds {stored} AuditEvent(s) but the chain seals {entries}: some were written around the chain.");
    }

    private string? Check(AuditChainEntry entry, long expected, string previous)
    {
        var link = entry.Link;
        if (link.Sequence != expected)
        {
            return $"Entry {expected} is missing from the chain.";
        }

        if (link.PreviousHash != previous)
        {
            return $"Entry {expected} does not follow the entry before it.";
        }

        if (entry.CurrentVersion is null || entry.Json is null)
        {
            return $"The AuditEvent of entry {expected} was removed.";
        }

        if (entry.Deleted || entry.CurrentVersion != link.Version)
        {
            return $"The AuditEvent of entry {expected} was changed after it was recorded.";
        }

        return key.LinkHash(link.Sequence, link.ResourceId, link.Version, link.PreviousHash, entry.Json) == link.Hash
            ? null
            : $"Entry {expected} was altered.";
    }

    private static async Task<long> CountAuditEventsAsync(IFhirStoreSession session, CancellationToken cancellationToken)
    {
        var query = new SearchQuery("AuditEvent", [], 0, 0, SearchSort.Default, CountOnly: true);
        var result = await session.SearchAsync(query, ownerFilter: null, cancellationToken);
        return result.Total;
    }
}
