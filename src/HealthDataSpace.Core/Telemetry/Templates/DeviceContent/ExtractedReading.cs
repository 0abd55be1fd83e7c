namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>
/// What one device-content template extracted from one matched token: MedTech's Measurement, with the device id the
/// payload names (checked against the sender by the normaliser) and the index of the template that produced it.
/// </summary>
internal sealed record ExtractedReading(
    int TemplateIndex,
    string Type,
    DateTimeOffset OccurrenceTime,
    string DeviceId,
    IReadOnlyList<ReadingValue> Values,
    string? CorrelationId);

/// <summary>
/// A template matched but could not produce its reading (a required value missing, a timestamp that is not a date):
/// MedTech refuses the whole event then. The message names the template and the field, never a payload value.
/// </summary>
internal sealed class ReadingExtractionException(string message, Exception? inner = null) : Exception(message, inner);
