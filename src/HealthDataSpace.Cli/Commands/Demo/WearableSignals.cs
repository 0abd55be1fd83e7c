using System.Globalization;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Plausible, reproducible minute readings for the demo's wearables. Heart rate follows a day's shape taken from the
/// Fitabase Fitbit study's 5-second heart-rate sample (shared/data/wearables/fitbit-fitabase-kaggle, doi:10.5281/zenodo.53894,
/// CC-BY-4.0): averaged per minute of the day, gaps bridged linearly. Each device shifts that day by its own phase and
/// resting offset, plus a little noise. Without the sample file a circadian curve stands in. SpO2 is generated (95–99 %).
/// </summary>
internal sealed class WearableSignals
{
    private const int MinutesPerDay = 1440;

    private readonly double[] _heartRateByMinute;

    private WearableSignals(double[] heartRateByMinute, string source)
    {
        _heartRateByMinute = heartRateByMinute;
        Source = source;
    }

    /// <summary>Where the heart-rate shape comes from, for the step's line.</summary>
    public string Source { get; }

    public static WearableSignals Load(string? fitabaseSample) =>
        fitabaseSample is not null && MinuteProfile(fitabaseSample) is { } profile
            ? new WearableSignals(profile, "the Fitabase Fitbit study's heart-rate day")
            : new WearableSignals(Circadian(), "a generated circadian curve (Fitabase sample not found)");

    /// <summary>Beats per minute of device <paramref name="device"/> at <paramref name="time"/> (whole numbers, 40–190).</summary>
    public double HeartRate(int device, DateTimeOffset time)
    {
        var minute = (MinuteOfDay(time) + (device * 97)) % MinutesPerDay;
        var resting = ((device * 7) % 13) - 6;
        var value = _heartRateByMinute[minute] + resting + (Noise(device, time, 1) * 3);
        return Math.Clamp(Math.Round(value), 40, 190);
    }

    /// <summary>Oxygen saturation in %: mostly 96–99, an occasional dip to 95 in the night hours.</summary>
    public static double SpO2(int device, DateTimeOffset time)
    {
        var night = time.UtcDateTime.Hour is >= 1 and < 5 ? -1 : 0;
        var value = 97.5 + night + (Noise(device, time, 2) * 1.5);
        return Math.Clamp(Math.Round(value), 95, 99);
    }

    /// <summary>
    /// Per-minute averages of the sample's 5-second readings, by minute of the day over all its days; minutes without a
    /// reading are interpolated between their neighbours (around midnight too). Null when the file has too little.
    /// </summary>
    internal static double[]? MinuteProfile(string path)
    {
        var sums = new double[MinutesPerDay];
        var counts = new int[MinutesPerDay];
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length < 3
                || !DateTime.TryParseExact(fields[1], "M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                || !double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var bpm))
            {
                continue;
            }

            var minute = (time.Hour * 60) + time.Minute;
            sums[minute] += bpm;
            counts[minute]++;
        }

        var known = Enumerable.Range(0, MinutesPerDay).Where(m => counts[m] > 0).ToArray();
        if (known.Length < 60)
        {
            return null;
        }

        var profile = new double[MinutesPerDay];
        for (var m = 0; m < MinutesPerDay; m++)
        {
            var next = Array.BinarySearch(known, m);
            if (next >= 0)
            {
                profile[m] = sums[m] / counts[m];
                continue;
            }

            next = ~next;
            var after = known[next % known.Length];
            var before = known[(next - 1 + known.Length) % known.Length];
            var span = (after - before + MinutesPerDay) % MinutesPerDay;
            var into = (m - before + MinutesPerDay) % MinutesPerDay;
            var weight = span == 0 ? 0 : (double)into / span;
            profile[m] = ((1 - weight) * (sums[before] / counts[before])) + (weight * (sums[after] / counts[after]));
        }

        return profile;
    }

    private static double[] Circadian() =>
        [.. Enumerable.Range(0, MinutesPerDay).Select(m => 68 + (12 * Math.Sin(2 * Math.PI * (m - 480) / MinutesPerDay)))];

    private static int MinuteOfDay(DateTimeOffset time) => (time.UtcDateTime.Hour * 60) + time.UtcDateTime.Minute;

    /// <summary>Deterministic noise in [-1, 1] (SplitMix64 of device, minute and channel): the same demo gives the same data.</summary>
    private static double Noise(int device, DateTimeOffset time, int channel)
    {
        var x = unchecked((ulong)(time.ToUnixTimeSeconds() / 60) * 0x9E3779B97F4A7C15UL) ^ ((ulong)device << 32) ^ (ulong)channel;
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return ((x >> 11) * (1.0 / (1UL << 53)) * 2) - 1;
    }
}
