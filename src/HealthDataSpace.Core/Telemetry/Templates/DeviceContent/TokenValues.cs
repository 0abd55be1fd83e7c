using System.Globalization;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>Turns selected JSON tokens into the strings and times a normalised reading holds.</summary>
internal static class TokenValues
{
    /// <summary>
    /// A scalar as its invariant text; null when absent, JSON null or the empty string (MedTech: "a value is present
    /// when it is not null; a string must also not be empty"). Objects and arrays are not values.
    /// </summary>
    public static string? ToText(JToken? token, out bool notScalar)
    {
        notScalar = false;
        switch (token)
        {
            case null:
                return null;
            case JValue value:
                return value.Value switch
                {
                    null => null,
                    string s => s.Length == 0 ? null : s,
                    bool b => b ? "true" : "false",
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    float f => f.ToString("R", CultureInfo.InvariantCulture),
                    DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, dt.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : dt.Kind)).ToString("O", CultureInfo.InvariantCulture),
                    DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
                    IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                    var other => other.ToString(),
                };
            default:
                notScalar = true;
                return null;
        }
    }

    private static bool LooksLikeIsoDate(string text)
    {
        var s = text.AsSpan().TrimStart();
        return s.Length >= 10 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2]) && char.IsAsciiDigit(s[3])
            && s[4] == '-' && char.IsAsciiDigit(s[5]) && char.IsAsciiDigit(s[6]) && s[7] == '-';
    }

    /// <summary>
    /// A timestamp from an ISO 8601 string (or a date token). A time without an offset is read as UTC, whatever the
    /// server's time zone (MedTech would read it in the host's local zone).
    /// </summary>
    public static bool TryParseTime(JToken token, out DateTimeOffset time)
    {
        switch (token)
        {
            case JValue { Value: string text }:
                // A date is required: .NET would read "12:00" as today at noon.
                return LooksLikeIsoDate(text) & DateTimeOffset.TryParse(
                    text,
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces,
                    out time);
            case JValue { Value: DateTime dateTime }:
                time = new DateTimeOffset(DateTime.SpecifyKind(dateTime, dateTime.Kind == DateTimeKind.Local ? DateTimeKind.Local : DateTimeKind.Utc));
                return true;
            case JValue { Value: DateTimeOffset offset }:
                time = offset;
                return true;
            default:
                time = default;
                return false;
        }
    }
}
