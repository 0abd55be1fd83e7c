using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Fhir.Store;

/// <summary>
/// A new version to store. Version 1 creates the resource; a higher version must follow the current one.
/// A deletion has no JSON and no index rows.
/// </summary>
public sealed record ResourceWrite(
    string Type,
    string Id,
    long Version,
    string Owner,
    DateTimeOffset LastUpdated,
    string Method,
    string? Json,
    IReadOnlyList<IndexEntry> Index)
{
    public bool Deleted => Json is null;
}
