using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Core.Privacy;

/// <summary>Pseudonymisation settings (configuration section <c>Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Privacy";

    /// <summary>
    /// The master secret every project's pseudonym keys are derived from: base64 of at least 32 random bytes
    /// (<c>openssl rand -base64 32</c>). Required outside Development; in Development the gateway generates one into
    /// its data folder when none is configured. Never logged.
    /// </summary>
    public string? MasterKey { get; set; }

    public KAnonymityOptions KAnonymity { get; set; } = new();

    /// <summary>Problems with these options, naming settings but never quoting the key.</summary>
    public IEnumerable<string> Validate(bool masterKeyRequired)
    {
        if (string.IsNullOrWhiteSpace(MasterKey))
        {
            if (masterKeyRequired)
            {
                yield return "Privacy:MasterKey is not set; give base64 of at least 32 random bytes (e.g. openssl rand -base64 32).";
            }
        }
        else
        {
            string? problem = null;
            try
            {
                PseudonymDomain.DecodeMasterKey(MasterKey);
            }
            catch (ArgumentException e)
            {
                problem = $"Privacy:MasterKey is invalid: {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}";
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }

        foreach (var problem in KAnonymity.Validate())
        {
            yield return problem;
        }
    }
}

/// <summary>The k-anonymity gate for datasets (configuration section <c>Privacy:KAnonymity</c>).</summary>
public sealed class KAnonymityOptions
{
    /// <summary>Smallest equivalence class a released dataset may contain. Default 5.</summary>
    [Range(2, 1000)]
    public int K { get; set; } = 5;

    /// <summary>
    /// Quasi-identifiers, from <see cref="QuasiIdentifiers.All"/>: <c>birthYearBand</c>, <c>gender</c>,
    /// <c>postalRegion</c>. Default (null) all three. (Null defaults, because configuration binding appends to a
    /// pre-filled list instead of replacing it.)
    /// </summary>
    public IList<string>? QuasiIdentifiers { get; set; }

    /// <summary>Birth-year band widths tried in order, narrowest first. Default (null) 5, 10, 20 years.</summary>
    public IList<int>? BirthYearBandWidths { get; set; }

    internal IReadOnlyList<string> EffectiveQuasiIdentifiers => QuasiIdentifiers is { } configured ? [.. configured] : Privacy.QuasiIdentifiers.All;

    internal IReadOnlyList<int> EffectiveBirthYearBandWidths => BirthYearBandWidths is { } configured ? [.. configured] : [5, 10, 20];

    /// <summary>Leading postal-code characters that form the postal region. Default 3 (as the research policy keeps).</summary>
    [Range(1, 10)]
    public int PostalRegionDigits { get; set; } = 3;

    /// <summary>Largest share of records generalisation may leave to suppression before it widens further. Default 0.05.</summary>
    [Range(0.0, 1.0)]
    public double MaxSuppressedFraction { get; set; } = 0.05;

    public IEnumerable<string> Validate()
    {
        if (K < 2)
        {
            yield return "Privacy:KAnonymity:K must be at least 2.";
        }

        if (EffectiveQuasiIdentifiers.Count == 0)
        {
            yield return "Privacy:KAnonymity:QuasiIdentifiers must name at least one quasi-identifier.";
        }

        foreach (var unknown in EffectiveQuasiIdentifiers.Where(q => !Privacy.QuasiIdentifiers.All.Contains(q, StringComparer.OrdinalIgnoreCase)))
        {
            yield return $"Privacy:KAnonymity:QuasiIdentifiers: unknown quasi-identifier '{unknown}'; known: {string.Join(", ", Privacy.QuasiIdentifiers.All)}.";
        }

        var widths = EffectiveBirthYearBandWidths;
        if (widths.Count == 0 || widths.Any(w => w < 1) || !widths.SequenceEqual(widths.Order()))
        {
            yield return "Privacy:KAnonymity:BirthYearBandWidths must be positive widths, narrowest first.";
        }

        if (PostalRegionDigits < 1 || MaxSuppressedFraction is < 0 or > 1)
        {
            yield return "Privacy:KAnonymity:PostalRegionDigits must be at least 1 and MaxSuppressedFraction within 0..1.";
        }
    }
}
