namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>A parsed, validated search: criteria are ANDed; each criterion's values are ORed.</summary>
public sealed record SearchQuery(
    string ResourceType,
    IReadOnlyList<SearchCriterion> Criteria,
    int Count,
    int Offset,
    SearchSort Sort,
    bool CountOnly)
{
    /// <summary>
    /// False when only the page matters (conditional matching asks for two rows to tell one match from several),
    /// so the store can skip counting every match.
    /// </summary>
    public bool IncludeTotal { get; init; } = true;
}

public enum SearchSort
{
    /// <summary>Insertion order, stable across pages.</summary>
    Default,
    LastUpdatedAscending,
    LastUpdatedDescending,
    IdAscending,
    IdDescending,
}

public enum SearchModifier
{
    None,
    Exact,
    Contains,
    Missing,
    Not,
    Below,
    Above,
}

/// <summary>
/// Comparison prefixes of the FHIR spec for ordered values (date, number, quantity).
/// </summary>
public enum SearchPrefix
{
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Sa,
    Eb,
    Ap,
}

/// <summary>
/// One search parameter with its ORed values. <c>_id</c> and <c>_lastUpdated</c> are answered from the resource
/// table; everything else from the index rows of <see cref="Kind"/>.
/// </summary>
public sealed record SearchCriterion(string Param, SearchParamKind Kind, SearchModifier Modifier, IReadOnlyList<SearchValue> Values);

/// <summary>
/// One value to match. Token: System (null = any, "" = none) and Code (null = any). String: Text (normalised unless
/// :exact). Reference: System (target type or null), Code (id) or Text (absolute URL). Date: Low/High. Number and
/// quantity: Number with the precision range NumberLow..NumberHigh, optional System/Code for quantity units.
/// Missing: <see cref="MissingValue"/>.
/// </summary>
public sealed record SearchValue(
    SearchPrefix Prefix = SearchPrefix.Eq,
    string? System = null,
    string? Code = null,
    string? Text = null,
    long Low = 0,
    long High = 0,
    double Number = 0,
    double NumberLow = 0,
    double NumberHigh = 0,
    bool MissingValue = false);
