namespace HealthDataSpace.Core.Fhir.Store;

/// <summary>
/// One entry of a named change feed: which resource changed, in commit order. Writers append under the feed's lock,
/// held until commit, so a reader that has seen sequence n has seen every change committed before it.
/// </summary>
public sealed record FeedChange(long Sequence, string ResourceId);
