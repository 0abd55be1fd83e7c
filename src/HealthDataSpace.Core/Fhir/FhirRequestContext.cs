namespace HealthDataSpace.Core.Fhir;

/// <summary>Per-request facts the engine needs: the caller's scope and the public base URL for links and locations.</summary>
/// <param name="Scope">Who asks and what they may see.</param>
/// <param name="BaseUrl">The absolute FHIR base, e.g. <c>https://gateway.example/fhir</c>, without trailing slash.</param>
public sealed record FhirRequestContext(AccessScope Scope, string BaseUrl)
{
    /// <summary>The token's subject (<c>oid</c>/<c>sub</c>), recorded in audit entries; null when it named none.</summary>
    public string? Subject { get; init; }
}
