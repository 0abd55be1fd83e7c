namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// What the normaliser refuses besides payloads no template understands. Built from
/// <see cref="Templates.TelemetryTemplateOptions"/> by <see cref="Templates.TelemetryTemplateFactory"/>.
/// </summary>
internal sealed record TelemetryNormalizerOptions
{
    /// <summary>How far after the gateway's clock a reading may be stamped (device clocks drift). Default 5 minutes.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When a payload names a device (the template's deviceIdExpression), it must be the device that sent it; readings
    /// are always filed under the sender. Default true: a device cannot slip in readings labelled as another's.
    /// </summary>
    public bool RequirePayloadDeviceMatch { get; init; } = true;

    /// <summary>Most readings one message may yield (a day of per-second samples is 86,400). Default 100,000.</summary>
    public int MaxReadingsPerMessage { get; init; } = 100_000;

    /// <summary>Deepest JSON nesting accepted. Default 64.</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>The impossible-value ranges; <see cref="PlausibilityTable.None"/> turns the check off.</summary>
    public PlausibilityTable Plausibility { get; init; } = PlausibilityTable.Default;
}
