namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>What <c>hds demo</c> was asked to do, checked (folders exist, URLs absolute) before anything starts.</summary>
/// <param name="Gateway">A running gateway's base URL, or null to start one in this process.</param>
/// <param name="Grpc">The gateway's HTTP/2 (gRPC) endpoint; null in-process (the demo starts its own).</param>
/// <param name="DataPath">In-process: the gateway's data folder. With <paramref name="Gateway"/>: the folder holding its
/// development signing key.</param>
/// <param name="Issuer">With <paramref name="Gateway"/>: the issuer the demo's tokens name.</param>
/// <param name="Bundles">The Synthea bundle files, information (organisation/practitioner) bundles first.</param>
/// <param name="HeartRateSample">The Fitabase 5-second heart-rate sample, when found beside the Synthea folder.</param>
/// <param name="Devices">How many patients get a wearable (at most the number of patients loaded).</param>
/// <param name="LiveProgress">Live progress bars (a terminal, and not <c>--no-progress</c>).</param>
/// <param name="Quiet">Only results and the summary, no line per step.</param>
internal sealed record DemoSettings(
    Uri? Gateway,
    Uri? Grpc,
    string DataPath,
    string? Issuer,
    IReadOnlyList<string> Bundles,
    string? HeartRateSample,
    int Devices,
    bool LiveProgress,
    bool Quiet)
{
    public bool InProcess => Gateway is null;
}
