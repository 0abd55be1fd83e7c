using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The anonymizer's date rules: a date, dateTime or instant with a day is shifted by whole days; one without a day, or
/// one that indicates an age over 89, is redacted instead (keeping the year when partial dates are enabled and the
/// age allows). In Microsoft-compatible mode a time of day is zeroed as there; with a project it is kept, so intervals
/// inside a patient's record survive to the second.
/// </summary>
internal static partial class DateValues
{
    private const int AgeThreshold = 89;

    public static string? Redact(string value, bool partialDates, DateTime today)
    {
        var match = DateParts().Match(value);
        if (!partialDates || !match.Success)
        {
            return null;
        }

        return IndicatesAgeOver89(match, today) ? null : match.Groups["year"].Value;
    }

    /// <summary>
    /// Project mode: a date moves by whole days, a timestamp by the exact per-patient shift (days and seconds), keeping
    /// its precision and zone.
    /// </summary>
    public static string? ShiftExact(string value, int days, TimeSpan exact, bool partialDates, DateTime today)
    {
        var match = DateParts().Match(value);
        if (!match.Success || !match.Groups["clock"].Success || !match.Groups["zone"].Success || IndicatesAgeOver89(match, today))
        {
            return Shift(value, days, keepTime: true, partialDates, today);
        }

        var parsed = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None).Add(exact);
        var fraction = match.Groups["clock"].Value.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0
            ? "." + new string('f', match.Groups["clock"].Length - dot - 1)
            : string.Empty;
        var zone = match.Groups["zone"].Value == "Z" ? "Z" : "zzz";
        return parsed.ToString("yyyy-MM-dd'T'HH:mm:ss" + fraction + (zone == "Z" ? "'Z'" : zone), CultureInfo.InvariantCulture);
    }

    /// <summary>Shifts by <paramref name="days"/>; null result means the value is removed.</summary>
    public static string? Shift(string value, int days, bool keepTime, bool partialDates, DateTime today)
    {
        var match = DateParts().Match(value);
        if (!match.Success || !match.Groups["day"].Success || IndicatesAgeOver89(match, today))
        {
            return Redact(value, partialDates, today);
        }

        var date = new DateOnly(
            int.Parse(match.Groups["year"].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["month"].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["day"].ValueSpan, CultureInfo.InvariantCulture)).AddDays(days);
        var shifted = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (!match.Groups["clock"].Success)
        {
            return shifted;
        }

        var clock = keepTime ? match.Groups["clock"].Value : Digits().Replace(match.Groups["clock"].Value, "0");
        return string.Concat(shifted, "T", clock, match.Groups["zone"].Value);
    }

    /// <summary>Whether a (partial) date is more than 89 years before today, as the anonymizer computes it.</summary>
    private static bool IndicatesAgeOver89(Match match, DateTime today)
    {
        var year = int.Parse(match.Groups["year"].ValueSpan, CultureInfo.InvariantCulture);
        var month = match.Groups["month"].Success ? int.Parse(match.Groups["month"].ValueSpan, CultureInfo.InvariantCulture) : 1;
        var day = match.Groups["day"].Success ? int.Parse(match.Groups["day"].ValueSpan, CultureInfo.InvariantCulture) : 1;
        var age = today.Year - year - (today.Month < month || (today.Month == month && today.Day < day) ? 1 : 0);
        return age > AgeThreshold;
    }

    [GeneratedRegex(@"^(?<year>[0-9]{4})(-(?<month>0[1-9]|1[0-2])(-(?<day>0[1-9]|[12][0-9]|3[01])(T(?<clock>[01][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|2[0-3]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|[0-2][0-9]:[0-5][0-9]:60(\.[0-9]+)?)(?<zone>Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?)?)?)?$")]
    private static partial Regex DateParts();

    [GeneratedRegex("[0-9]")]
    private static partial Regex Digits();
}
