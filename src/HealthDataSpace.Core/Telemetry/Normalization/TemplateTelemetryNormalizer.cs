using System.Globalization;
using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// <see cref="ITelemetryNormalizer"/> over MedTech device-content templates. JSON payloads run through every template
/// (inside the IoT Hub event envelope, see <see cref="DeviceEventEnvelope"/>); structured gRPC measurements resolve
/// against the same templates' type and value names (<see cref="MeasurementTypeIndex"/>). A message is accepted whole
/// or refused whole with one reason naming what is wrong (template, field, value name), never a payload value.
/// Thread-safe. Construct it with <see cref="Templates.TelemetryTemplateFactory"/>.
/// </summary>
internal sealed class TemplateTelemetryNormalizer(DeviceContentTemplateSet templates, TelemetryNormalizerOptions options) : ITelemetryNormalizer
{
    public DeviceContentTemplateSet Templates => templates;

    public TelemetryNormalizerOptions Options => options;

    public NormalizationResult Normalize(DeviceMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Measurements is { } measurements
            ? new StructuredMeasurementNormalizer(templates.Measurements, options, now, message.EnqueuedTime == default ? now : message.EnqueuedTime).Normalize(measurements)
            : NormalizeJson(message, now);
    }

    private NormalizationResult NormalizeJson(DeviceMessage message, DateTimeOffset now)
    {
        var body = DeviceEventEnvelope.ParseBody(message.JsonPayload.Span, options.MaxJsonDepth, out var rejection);
        if (body is null)
        {
            return NormalizationResult.Rejected(rejection!);
        }

        List<ExtractedReading> extracted;
        try
        {
            extracted = templates.Extract(DeviceEventEnvelope.Create(message, body));
        }
        catch (ReadingExtractionException e)
        {
            return NormalizationResult.Rejected(e.Message);
        }

        if (extracted.Count == 0)
        {
            return NormalizationResult.Rejected("no device-content template matches the payload");
        }

        if (extracted.Count > options.MaxReadingsPerMessage)
        {
            return NormalizationResult.Rejected(string.Create(CultureInfo.InvariantCulture, $"the payload holds more than {options.MaxReadingsPerMessage} readings"));
        }

        var readings = new NormalizedReading[extracted.Count];
        for (var i = 0; i < extracted.Count; i++)
        {
            var reading = extracted[i];
            if (options.RequirePayloadDeviceMatch && !string.Equals(reading.DeviceId, message.DeviceId, StringComparison.Ordinal))
            {
                return NormalizationResult.Rejected($"template[{reading.TemplateIndex}] '{reading.Type}': the payload names a device other than the sender");
            }

            readings[i] = new NormalizedReading(reading.Type, reading.OccurrenceTime, reading.Values, reading.CorrelationId);
            if (Check(readings[i], now, options) is { } reason)
            {
                return NormalizationResult.Rejected($"template[{reading.TemplateIndex}] '{reading.Type}': {reason}");
            }
        }

        return NormalizationResult.Accepted(readings);
    }

    /// <summary>The checks every reading passes, whichever way it arrived.</summary>
    internal static string? Check(NormalizedReading reading, DateTimeOffset now, TelemetryNormalizerOptions options) =>
        CheckTime(reading.OccurrenceTime, now, options) ?? options.Plausibility.Check(reading);

    /// <summary>The same checks for a reading of one value that is still a number, with the value's plausibility rules
    /// already found (<see cref="PlausibilityTable.RulesFor"/>).</summary>
    internal static string? Check(string type, DateTimeOffset time, string valueName, double value, PlausibilityRule[] rules, DateTimeOffset now,
        TelemetryNormalizerOptions options) =>
        CheckTime(time, now, options) ?? PlausibilityTable.Check(rules, type, valueName, value);

    private static string? CheckTime(DateTimeOffset time, DateTimeOffset now, TelemetryNormalizerOptions options) =>
        time > now + options.MaxFutureSkew
            ? string.Create(CultureInfo.InvariantCulture, $"the reading time is more than {options.MaxFutureSkew.TotalSeconds:0} s ahead of the gateway clock")
            : null;
}
