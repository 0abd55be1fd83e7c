namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// One search-index row extracted from a resource. Which fields are set depends on <see cref="Kind"/>:
/// token — System, Code; string — Code (normalised text), Text (as written); reference — System (target type),
/// Code (target id), Text (absolute or canonical URL); date — Low (inclusive) and High (exclusive), UTC ticks;
/// number — Number; quantity — Number, System, Code (unit code); uri — Text.
/// </summary>
public readonly record struct IndexEntry(
    string Param,
    SearchParamKind Kind,
    string? System = null,
    string? Code = null,
    string? Text = null,
    long Low = 0,
    long High = 0,
    double Number = 0);
