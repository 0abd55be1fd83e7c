using System.Globalization;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The anonymizer's date rules: a date, dateTime or instant with a day is shifted by whole days; one without a day, or
/// one that indicates an age over 89, is redacted instead (keeping the year when partial dates are enabled and the
/// age allows). In Microsoft-compatible mode a time of day is zeroed as there; with a project it is kept and shifted
/// with the patient's exact shift, so intervals inside a patient's record survive to the second.
/// </summary>
internal static class DateValues
{
    private const int AgeThreshold = 89;

    public static string? Redact(string value, bool partialDates, DateTime today)
    {
        if (!partialDates || !FhirDateText.TryParse(value, out var date))
        {
            return null;
        }

        return IndicatesAgeOver89(date, today) ? null : value[..4];
    }

    /// <summary>Shifts by <paramref name="days"/>; null result means the value is removed.</summary>
    public static string? Shift(string value, int days, bool keepTime, bool partialDates, DateTime today)
    {
        if (!FhirDateText.TryParse(value, out var date) || date.Day == 0 || IndicatesAgeOver89(date, today))
        {
            return Redact(value, partialDates, today);
        }

        var shifted = new DateOnly(date.Year, date.Month, date.Day).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (!date.HasTime)
        {
            return shifted;
        }

        var clock = value.AsSpan(11, date.ClockLength);
        return keepTime
            ? string.Concat(shifted, "T", clock, value.AsSpan(11 + date.ClockLength))
            : string.Concat(shifted, "T", ZeroDigits(clock), value.AsSpan(11 + date.ClockLength));
    }

    /// <summary>
    /// Project mode: a date moves by whole days, a timestamp by the exact per-patient shift (days and seconds),
    /// keeping its precision and zone.
    /// </summary>
    public static string? ShiftExact(string value, int days, TimeSpan exact, bool partialDates, DateTime today)
    {
        if (!FhirDateText.TryParse(value, out var date) || !date.HasTime || IndicatesAgeOver89(date, today))
        {
            return Shift(value, days, keepTime: true, partialDates, today);
        }

        // The zone stays, so shifting the local clock reading shifts the instant by the same amount.
        var local = new DateTime(date.Year, date.Month, date.Day, date.Hour, date.Minute, Math.Min(date.Second, 59), DateTimeKind.Unspecified);
        var shifted = local.Add(exact);
        return string.Concat(shifted.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), value.AsSpan(19));
    }

    /// <summary>Whether a (partial) date is more than 89 years before today, as the anonymizer computes it.</summary>
    private static bool IndicatesAgeOver89(FhirDateText date, DateTime today)
    {
        var month = date.Month == 0 ? 1 : date.Month;
        var day = date.Day == 0 ? 1 : date.Day;
        var age = today.Year - date.Year - (today.Month < month || (today.Month == month && today.Day < day) ? 1 : 0);
        return age > AgeThreshold;
    }

    private static string ZeroDigits(ReadOnlySpan<char> clock)
    {
        Span<char> zeroed = stackalloc char[clock.Length];
        for (var i = 0; i < clock.Length; i++)
        {
            zeroed[i] = char.IsAsciiDigit(clock[i]) ? '0' : clock[i];
        }

        return new string(zeroed);
    }
}

/// <summary>
/// A FHIR date, dateTime or instant read by hand (the engine meets millions): <c>YYYY</c>, <c>YYYY-MM</c>,
/// <c>YYYY-MM-DD</c>, or <c>YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]</c>. Month and day are 0 when absent.
/// </summary>
internal readonly record struct FhirDateText(int Year, int Month, int Day, int Hour, int Minute, int Second, int ClockLength)
{
    public bool HasTime => ClockLength > 0;

    public static bool TryParse(string text, out FhirDateText date)
    {
        date = default;
        if (text.Length < 4 || !Digits(text, 0, 4, out var year))
        {
            return false;
        }

        if (text.Length == 4)
        {
            date = new FhirDateText(year, 0, 0, 0, 0, 0, 0);
            return true;
        }

        if (text.Length < 7 || text[4] != '-' || !Digits(text, 5, 2, out var month) || month is < 1 or > 12)
        {
            return false;
        }

        if (text.Length == 7)
        {
            date = new FhirDateText(year, month, 0, 0, 0, 0, 0);
            return true;
        }

        if (text.Length < 10 || text[7] != '-' || !Digits(text, 8, 2, out var day) || day < 1 || day > DateTime.DaysInMonth(year == 0 ? 4 : year, month))
        {
            return false;
        }

        if (text.Length == 10)
        {
            date = new FhirDateText(year, month, day, 0, 0, 0, 0);
            return true;
        }

        if (text.Length < 19 || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var end = 19;
        if (end < text.Length && text[end] == '.')
        {
            end++;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
        }

        var zone = text.AsSpan(end);
        var zoneOk = zone.Length == 0 || zone is "Z"
            || (zone.Length == 6 && zone[0] is '+' or '-' && char.IsAsciiDigit(zone[1]) && char.IsAsciiDigit(zone[2]) && zone[3] == ':'
                && char.IsAsciiDigit(zone[4]) && char.IsAsciiDigit(zone[5]));
        if (!zoneOk)
        {
            return false;
        }

        date = new FhirDateText(year, month, day, hour, minute, second, end - 11);
        return true;
    }

    private static bool Digits(string text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }
}
