using System.Globalization;

namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// A reading's number as the text the store keeps: round-trip ("R") invariant format. Whole numbers from 0 to 1,023
/// — nearly every heart rate, SpO2 and respiratory rate — come from a table made once, so the common reading costs no
/// formatting and no new string.
/// </summary>
internal static class ReadingValueText
{
    private static readonly string[] WholeNumbers = [.. Enumerable.Range(0, 1024).Select(n => ((double)n).ToString("R", CultureInfo.InvariantCulture))];

    public static string Format(double value) =>
        value >= 0 && value < WholeNumbers.Length && value == Math.Floor(value) && !double.IsNegative(value)
            ? WholeNumbers[(int)value]
            : value.ToString("R", CultureInfo.InvariantCulture);
}
