using System.Globalization;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// A FHIR date, dateTime or instant as the time range its precision implies: "2020" is all of 2020,
/// "2020-03-04" one day, "2020-03-04T10:00:00Z" one second. Low is inclusive, High exclusive, both UTC ticks.
/// Values without a time zone are read as UTC (FHIR leaves that to the server; this one says so in its docs).
/// </summary>
public readonly record struct FhirDateRange(long Low, long High)
{
    public static readonly long MinTicks = DateTime.MinValue.Ticks;
    public static readonly long MaxTicks = DateTime.MaxValue.Ticks;

    public static FhirDateRange Unbounded => new(MinTicks, MaxTicks);

    public static bool TryParse(string? text, out FhirDateRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        try
        {
            switch (s.Length)
            {
                case 4 when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year >= 1:
                    var y = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                    range = new FhirDateRange(y.Ticks, Ceiling(() => y.AddYears(1)));
                    return true;
                case 7 when DateTime.TryParseExact(s, "yyyy-MM", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month):
                    range = new FhirDateRange(month.Ticks, Ceiling(() => month.AddMonths(1)));
                    return true;
                case 10 when DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day):
                    range = new FhirDateRange(day.Ticks, Ceiling(() => day.AddDays(1)));
                    return true;
            }

            return TryParseDateTime(s, out range);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    public static FhirDateRange FromInstant(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        return new FhirDateRange(ticks, ticks + 1);
    }

    /// <summary>Covers both ranges (a Period from its start's low to its end's high).</summary>
    public static FhirDateRange Span(FhirDateRange? start, FhirDateRange? end) =>
        new(start?.Low ?? MinTicks, end?.High ?? MaxTicks);

    private static bool TryParseDateTime(string s, out FhirDateRange range)
    {
        range = default;
        var tIndex = s.IndexOf('T', StringComparison.Ordinal);
        if (tIndex != 10)
        {
            return false;
        }

        // Precision is what the writer gave: minutes, seconds or fractions of a second.
        var timePart = s[(tIndex + 1)..];
        var zoneStart = timePart.IndexOfAny(['Z', '+', '-']);
        var clock = zoneStart >= 0 ? timePart[..zoneStart] : timePart;
        var hasZone = zoneStart >= 0;
        var styles = DateTimeStyles.AdjustToUniversal | (hasZone ? DateTimeStyles.None : DateTimeStyles.AssumeUniversal);
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, styles, out var parsed))
        {
            return false;
        }

        var precision = clock.Length switch
        {
            5 => TimeSpan.TicksPerMinute,
            8 => TimeSpan.TicksPerSecond,
            > 9 => FractionTicks(clock.Length - 9),
            _ => 0,
        };
        if (precision == 0)
        {
            return false;
        }

        var low = parsed.UtcTicks;
        range = new FhirDateRange(low, Math.Min(MaxTicks, low + precision));
        return true;
    }

    private static long FractionTicks(int digits) => digits >= 7 ? 1 : (long)Math.Pow(10, 7 - digits);

    private static long Ceiling(Func<DateTime> next)
    {
        try
        {
            return next().Ticks;
        }
        catch (ArgumentOutOfRangeException)
        {
            return MaxTicks;
        }
    }
}
