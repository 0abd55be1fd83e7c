namespace HealthDataSpace.Core.Fhir.Store;

/// <summary>One version of a resource as stored. <see cref="Json"/> is null for a deletion.</summary>
public sealed record StoredResource(
    string Type,
    string Id,
    long Version,
    DateTimeOffset LastUpdated,
    bool Deleted,
    string Owner,
    string Method,
    string? Json)
{
    /// <summary>The weak ETag FHIR uses for versions: <c>W/"3"</c>.</summary>
    public string ETag => $"W/\"{Version}\"";

    public string Location(string baseUrl) => $"{baseUrl}/{Type}/{Id}/_history/{Version}";
}

/// <summary>A page of resources and the total number that matched.</summary>
public sealed record SearchResult(int Total, IReadOnlyList<StoredResource> Resources);

/// <summary>A page of a scan and the position to continue after (null when the scan is done).</summary>
public sealed record ScanPage(IReadOnlyList<StoredResource> Resources, long? Next);
