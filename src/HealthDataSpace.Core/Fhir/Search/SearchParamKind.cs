namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>The FHIR search parameter types the store indexes (composite and special ones are not supported).</summary>
public enum SearchParamKind
{
    Token,
    String,
    Reference,
    Date,
    Number,
    Quantity,
    Uri,
}
