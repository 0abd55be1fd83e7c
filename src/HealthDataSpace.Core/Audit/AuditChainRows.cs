namespace HealthDataSpace.Core.Audit;

/// <summary>
/// One link of the audit chain: the AuditEvent version it seals, the previous link's hash and its own
/// (see <see cref="AuditChainKey"/>).
/// </summary>
public sealed record AuditLink(long Sequence, string ResourceId, long Version, string PreviousHash, string Hash);

/// <summary>
/// The chain's stored head: the newest sequence number and hash, sealed with a MAC. Without it, deleting the newest
/// entries would leave a shorter chain that still verifies.
/// </summary>
public sealed record AuditAnchor(long Sequence, string Hash, string Mac);

/// <summary>A link as read back for verification, with what the FHIR store now holds for its AuditEvent.</summary>
/// <param name="Link">The stored link.</param>
/// <param name="CurrentVersion">The AuditEvent's current version in the store, or null when its row is gone.</param>
/// <param name="Deleted">True when the AuditEvent's current version is a deletion.</param>
/// <param name="Json">The JSON of the sealed version, or null when that version is gone.</param>
public sealed record AuditChainEntry(AuditLink Link, long? CurrentVersion, bool Deleted, string? Json);
