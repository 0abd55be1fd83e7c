using HealthDataSpace.Benchmarks.Infrastructure;

namespace HealthDataSpace.Benchmarks.Fhir;

/// <summary>How long one bundle took, and how many resources it carried.</summary>
internal sealed record BundleTiming(string Name, int Resources, double Milliseconds)
{
    public double MillisecondsPerResource => Resources == 0 ? Milliseconds : Milliseconds / Resources;
}

/// <summary>One pass over the whole corpus: either through the gateway or through the Firely-only baseline.</summary>
internal sealed record IngestPassResult(IReadOnlyList<BundleTiming> Bundles, TimeSpan Wall)
{
    public int Resources => Bundles.Sum(b => b.Resources);

    /// <summary>All resources over the wall time of the whole pass (not the mean of per-bundle rates).</summary>
    public double ResourcesPerSecond => Resources / Wall.TotalSeconds;

    public LatencySummary Latency => LatencySummary.Of(Bundles.Select(b => b.Milliseconds));

    /// <summary>Bundles differ 40x in size, so latency per resource says more than latency per bundle alone.</summary>
    public LatencySummary LatencyPerResource => LatencySummary.Of(Bundles.Select(b => b.MillisecondsPerResource));
}

/// <summary>One round: the gateway ingesting everything as a new hospital client, then the baseline on the same bundles.</summary>
internal sealed record IngestRound(
    int Number,
    IngestPassResult Gateway,
    TimeSpan GatewayStartup,
    IReadOnlyList<string> GatewayOutput,
    IngestPassResult Baseline,
    string LoadAverageAfter);
