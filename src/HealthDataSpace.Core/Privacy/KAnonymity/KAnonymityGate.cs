using System.Globalization;

namespace HealthDataSpace.Core.Privacy;

/// <summary>What the k-anonymity gate decided for a dataset.</summary>
/// <param name="RequiredK">The k asked for.</param>
/// <param name="SmallestClassBefore">Smallest equivalence class at the narrowest generalisation, before suppression.</param>
/// <param name="AchievedK">Smallest equivalence class of the records kept (0 when none are kept).</param>
/// <param name="SuppressedCount">Records left out because their class stayed smaller than k.</param>
/// <param name="QuasiIdentifiersUsed">The quasi-identifiers the classes were formed on.</param>
/// <param name="BirthYearBandWidth">The band width finally used (when birth year is a quasi-identifier).</param>
/// <param name="PostalRegionDigits">The postal-region length finally used (when postal region is a quasi-identifier).</param>
/// <param name="SuppressedRecordIds">The ids to leave out of the dataset.</param>
public sealed record KAnonymityReport(
    int RequiredK,
    int SmallestClassBefore,
    int AchievedK,
    int SuppressedCount,
    IReadOnlyList<string> QuasiIdentifiersUsed,
    int BirthYearBandWidth,
    int PostalRegionDigits,
    IReadOnlySet<string> SuppressedRecordIds);

/// <summary>
/// Forms equivalence classes on the configured quasi-identifiers and makes every released class at least k large:
/// it widens the birth-year band (5 → 10 → 20 years by default), then shortens the postal region by one character,
/// until at most <see cref="KAnonymityOptions.MaxSuppressedFraction"/> of the records would be suppressed, and then
/// suppresses the records of classes still smaller than k. Records are small tuples, so a dataset of any size fits.
/// </summary>
public sealed class KAnonymityGate
{
    private readonly KAnonymityOptions _options;
    private readonly string[] _quasiIdentifiers;

    public KAnonymityGate(KAnonymityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _options = options;
        _quasiIdentifiers = [.. QuasiIdentifiers.All.Where(q => options.EffectiveQuasiIdentifiers.Contains(q, StringComparer.OrdinalIgnoreCase))];
    }

    public KAnonymityReport Evaluate(IEnumerable<QuasiIdentifierRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var all = records as IReadOnlyList<QuasiIdentifierRecord> ?? [.. records];
        var k = _options.K;
        var levels = Levels().ToList();
        var smallestBefore = 0;
        (int Band, int Digits, Dictionary<string, int> Counts, int Suppressed)? chosen = null;
        foreach (var (band, digits) in levels)
        {
            var counts = Count(all, band, digits);
            if (chosen is null)
            {
                smallestBefore = counts.Count == 0 ? 0 : counts.Values.Min();
            }

            var suppressed = counts.Values.Where(c => c < k).Sum();
            chosen = (band, digits, counts, suppressed);
            if (suppressed <= _options.MaxSuppressedFraction * all.Count)
            {
                break;
            }
        }

        var (finalBand, finalDigits, finalCounts, _) = chosen!.Value;
        var suppressedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in all)
        {
            if (finalCounts[ClassKey(record, finalBand, finalDigits)] < k)
            {
                suppressedIds.Add(record.RecordId);
            }
        }

        var kept = finalCounts.Values.Where(c => c >= k).ToList();
        return new KAnonymityReport(k, smallestBefore, kept.Count == 0 ? 0 : kept.Min(), all.Count(r => suppressedIds.Contains(r.RecordId)),
            _quasiIdentifiers, finalBand, finalDigits, suppressedIds);
    }

    /// <summary>The generalisation ladder: every band width at full postal precision, then shorter postal regions.</summary>
    private IEnumerable<(int Band, int Digits)> Levels()
    {
        var widest = _options.EffectiveBirthYearBandWidths[^1];
        foreach (var band in _options.EffectiveBirthYearBandWidths)
        {
            yield return (band, _options.PostalRegionDigits);
        }

        if (_quasiIdentifiers.Contains(QuasiIdentifiers.PostalRegion))
        {
            for (var digits = _options.PostalRegionDigits - 1; digits >= 1; digits--)
            {
                yield return (widest, digits);
            }
        }
    }

    private Dictionary<string, int> Count(IReadOnlyList<QuasiIdentifierRecord> records, int band, int digits)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var key = ClassKey(record, band, digits);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private string ClassKey(QuasiIdentifierRecord record, int band, int digits)
    {
        var parts = new string[_quasiIdentifiers.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = _quasiIdentifiers[i] switch
            {
                QuasiIdentifiers.BirthYearBand => record.BirthYear is { } year
                    ? (year - (((year % band) + band) % band)).ToString(CultureInfo.InvariantCulture) + "+" + band.ToString(CultureInfo.InvariantCulture)
                    : "?",
                QuasiIdentifiers.Gender => record.Gender ?? "?",
                _ => record.PostalCode is { } code ? code[..Math.Min(digits, code.Length)] : "?",
            };
        }

        return string.Join('|', parts);
    }
}
