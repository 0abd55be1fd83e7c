using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Core.Fhir;

/// <summary>Limits of the FHIR API (configuration section <c>Fhir</c>).</summary>
public sealed class FhirOptions
{
    public const string SectionName = "Fhir";

    /// <summary>Largest request body accepted, in bytes (bundles included). Default 128 MiB: long-lived Synthea patients export tens of MB.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxBundleBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Most entries a transaction or batch bundle may carry. Default 50,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxBundleEntries { get; set; } = 50_000;

    /// <summary>
    /// Whether every local reference (<c>Patient/123</c>) must point at a resource the caller can see (422 otherwise).
    /// Default true. Turn it off only to bulk-load example sets whose references are not in dependency order;
    /// bundle fullUrls and conditional references must resolve either way.
    /// </summary>
    public bool EnforceReferentialIntegrity { get; set; } = true;

    /// <summary>Page size of a search without <c>_count</c>. Default 20.</summary>
    [Range(1, 10_000)]
    public int DefaultPageSize { get; set; } = 20;

    /// <summary>Largest <c>_count</c> honoured; larger requests are cut to it. Default 1,000.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 1000;
}
