namespace HealthDataSpace.Core.Telemetry;

/// <summary>
/// A reading after the device-content templates ran: MedTech's normalised "Measurement" (type name, occurrence time,
/// named values as strings, optional correlation id). Blood pressure is one reading with two values
/// (e.g. <c>systolic</c>, <c>diastolic</c>) when its template says so. This is what the telemetry store keeps and what
/// <c>GET /telemetry/{deviceId}</c> returns.
/// </summary>
internal sealed record NormalizedReading(
    string Type,
    DateTimeOffset OccurrenceTime,
    IReadOnlyList<ReadingValue> Values,
    string? CorrelationId = null);

internal readonly record struct ReadingValue(string Name, string Value);

/// <summary>Either the readings of one message, or why the whole message is refused (a reason with no payload text).</summary>
internal sealed record NormalizationResult(IReadOnlyList<NormalizedReading> Readings, string? Rejection)
{
    public bool IsRejected => Rejection is not null;

    public static NormalizationResult Accepted(IReadOnlyList<NormalizedReading> readings) => new(readings, null);

    public static NormalizationResult Rejected(string reason) => new([], reason);
}
