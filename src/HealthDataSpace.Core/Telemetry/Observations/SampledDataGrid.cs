using System.Globalization;
using System.Text;

namespace HealthDataSpace.Core.Telemetry.Observations;

/// <summary>
/// The data stream of a SampledData as MedTech writes it: slot i covers [start + i·period, start + (i+1)·period);
/// slots run while their start is within the observation period; the latest value in a slot wins; an empty slot is
/// "E". Values that are not decimals become "E" too (SampledData only holds numbers).
/// </summary>
internal static class SampledDataGrid
{
    public static string Build(IEnumerable<(DateTimeOffset Time, string Value)> values, DateTimeOffset start, DateTimeOffset end, decimal periodMs)
    {
        var slots = Slots(start, end, periodMs);
        var data = new string?[slots];
        var periodTicks = (long)(periodMs * TimeSpan.TicksPerMillisecond);
        foreach (var (time, value) in values.OrderBy(v => v.Time))
        {
            var offset = (time - start).Ticks;
            if (offset < 0 || time > end)
            {
                continue;
            }

            var slot = offset / periodTicks;
            if (slot < slots)
            {
                data[slot] = Normalize(value);
            }
        }

        var builder = new StringBuilder(slots * 4);
        for (var i = 0; i < slots; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(data[i] ?? "E");
        }

        return builder.ToString();
    }

    /// <summary>The values of an existing stream with the start time of their slot ("E", "L", "U" are no value).</summary>
    public static IEnumerable<(DateTimeOffset Time, string Value)> Parse(string? data, DateTimeOffset start, decimal periodMs)
    {
        if (string.IsNullOrWhiteSpace(data) || periodMs <= 0)
        {
            yield break;
        }

        var periodTicks = (long)(periodMs * TimeSpan.TicksPerMillisecond);
        var tokens = data.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is not ("E" or "L" or "U"))
            {
                yield return (start.AddTicks(i * periodTicks), tokens[i]);
            }
        }
    }

    public static int Slots(DateTimeOffset start, DateTimeOffset end, decimal periodMs)
    {
        var periodTicks = (long)(periodMs * TimeSpan.TicksPerMillisecond);
        return periodTicks <= 0 || end < start ? 1 : (int)Math.Min(((end - start).Ticks / periodTicks) + 1, 10_000_000);
    }

    /// <summary>The invariant decimal text of a value, or null when it is not a number.</summary>
    public static string? Normalize(string value) =>
        decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : null;
}
