namespace HealthDataSpace.Benchmarks.Infrastructure;

/// <summary>
/// Percentiles of a set of latencies, by the nearest-rank method: the reported value is always one that was measured,
/// never interpolated. With fewer than 100 samples p99 is therefore the maximum, which is the honest reading.
/// </summary>
internal sealed record LatencySummary(int Count, double P50, double P95, double P99, double Max)
{
    public static LatencySummary Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(samples));
        }

        return new LatencySummary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
