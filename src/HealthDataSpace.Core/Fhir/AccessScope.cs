namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// Who is asking, as the FHIR engine needs to know it: the client application that owns what it writes
/// (a hospital system) and whether the caller may see every source's data (a data steward).
/// </summary>
/// <param name="ClientId">The calling application's client id; recorded as the owner of what it writes.</param>
/// <param name="SeesAll">True for stewards: reads and searches span all owners.</param>
public sealed record AccessScope(string ClientId, bool SeesAll)
{
    /// <summary>The owner filter for reads and searches: null when the caller sees everything.</summary>
    public string? OwnerFilter => SeesAll ? null : ClientId;

    public bool CanSee(string owner) => SeesAll || string.Equals(owner, ClientId, StringComparison.Ordinal);
}
