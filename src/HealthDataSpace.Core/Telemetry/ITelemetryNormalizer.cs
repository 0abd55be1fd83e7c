namespace HealthDataSpace.Core.Telemetry;

/// <summary>
/// Turns one device message into normalised readings using the device-content templates (MedTech format), or refuses
/// it with a reason: malformed JSON, no template matches, impossible values (SpO2 over 100 %, a time far in the future
/// relative to <paramref name="now"/>). Thread-safe; called on the ingest path before the message is acknowledged.
/// </summary>
internal interface ITelemetryNormalizer
{
    NormalizationResult Normalize(DeviceMessage message, DateTimeOffset now);
}
