using HealthDataSpace.Core.Consent;

namespace HealthDataSpace.Gateway.Features.Consent;

/// <summary>Section <c>Consent</c>: the region's default per purpose of use when no consent of the patient decides.</summary>
internal sealed class ConsentOptions
{
    public const string SectionName = "Consent";

    /// <summary>
    /// <c>Consent:Defaults:HRESCH = OptIn | OptOut</c> and so on, keyed by bare v3 PurposeOfUse code. A purpose not
    /// listed is OptIn: without a consent that permits, nothing is released. Read as text so that a misspelt value
    /// fails start-up instead of being skipped by the binder.
    /// </summary>
    public Dictionary<string, string> Defaults { get; init; } = new(StringComparer.Ordinal);

    internal IEnumerable<string> Problems => Defaults.SelectMany(pair => Check(pair.Key, pair.Value));

    internal Dictionary<string, ConsentDefault> Parsed() =>
        Defaults.ToDictionary(p => p.Key, p => Enum.Parse<ConsentDefault>(p.Value, ignoreCase: true), StringComparer.Ordinal);

    private static IEnumerable<string> Check(string purpose, string value)
    {
        if (!PurposeOfUse.IsKnown(purpose) || purpose.Contains('|', StringComparison.Ordinal))
        {
            yield return $"Consent:Defaults:{purpose} is not a bare v3 PurposeOfUse code (HRESCH, TREAT, PUBHLTH, ...).";
        }

        if (!Enum.TryParse<ConsentDefault>(value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed)
            || int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            yield return $"Consent:Defaults:{purpose} must be OptIn or OptOut.";
        }
    }
}
