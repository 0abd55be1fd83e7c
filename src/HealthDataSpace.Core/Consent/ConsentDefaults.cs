using System.Collections.Frozen;

namespace HealthDataSpace.Core.Consent;

/// <summary>What a region decides for a purpose when no consent of the patient decides.</summary>
public enum ConsentDefault
{
    /// <summary>Data may be used only with an explicit permit (deny by default). The safe side.</summary>
    OptIn,

    /// <summary>Data may be used unless the patient objected (EHDS-style secondary use; permit by default).</summary>
    OptOut,
}

/// <summary>
/// The regional default policy per purpose (<c>Consent:Defaults:HRESCH = OptIn | OptOut</c>). A purpose the region
/// did not configure is <see cref="ConsentDefault.OptIn"/>: without a rule, data is not released.
/// </summary>
public sealed class ConsentDefaults
{
    private readonly FrozenDictionary<string, ConsentDefault> _byPurpose;

    public ConsentDefaults(IReadOnlyDictionary<string, ConsentDefault> byPurpose)
    {
        ArgumentNullException.ThrowIfNull(byPurpose);
        _byPurpose = byPurpose.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Opt-in for every purpose.</summary>
    public static ConsentDefaults OptInEverywhere { get; } = new(new Dictionary<string, ConsentDefault>());

    /// <summary>The default for a bare purpose code; unknown purposes are opt-in.</summary>
    public ConsentDefault For(string purpose) =>
        _byPurpose.TryGetValue(purpose, out var value) ? value : ConsentDefault.OptIn;
}
