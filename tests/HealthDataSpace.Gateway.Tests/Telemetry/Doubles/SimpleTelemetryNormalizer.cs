using System.Globalization;
using System.Text.Json;
using HealthDataSpace.Core.Telemetry;

namespace HealthDataSpace.Gateway.Tests.Telemetry.Doubles;

/// <summary>
/// Test double of the MedTech template engine's normaliser (built on another branch): structured measurements become
/// one reading each; JSON must be <c>{"type": "...", "value": n, "time": "..."}</c> (or an array of such). It refuses
/// what the real engine refuses — malformed JSON, an unknown shape, SpO2 over 100 %, a time more than a day ahead —
/// so the ingest path's handling of refusals can be tested before the engine lands.
/// </summary>
internal sealed class SimpleTelemetryNormalizer : ITelemetryNormalizer
{
    public NormalizationResult Normalize(DeviceMessage message, DateTimeOffset now)
    {
        var readings = new List<NormalizedReading>();
        if (message.Measurements is { } measurements)
        {
            foreach (var m in measurements)
            {
                readings.Add(new NormalizedReading(m.Type, m.Time, [new ReadingValue("value", m.Value.ToString("R", CultureInfo.InvariantCulture))]));
            }
        }
        else
        {
            try
            {
                using var document = JsonDocument.Parse(message.JsonPayload);
                var items = document.RootElement.ValueKind == JsonValueKind.Array
                    ? document.RootElement.EnumerateArray().ToList()
                    : [document.RootElement];
                foreach (var item in items)
                {
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                        || !item.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Number
                        || !item.TryGetProperty("time", out var time) || !time.TryGetDateTimeOffset(out var at))
                    {
                        return NormalizationResult.Rejected("no template matches the payload");
                    }

                    readings.Add(new NormalizedReading(type.GetString()!, at, [new ReadingValue("value", value.GetRawText())]));
                }
            }
            catch (JsonException)
            {
                return NormalizationResult.Rejected("malformed JSON");
            }
        }

        foreach (var reading in readings)
        {
            var value = double.Parse(reading.Values[0].Value, CultureInfo.InvariantCulture);
            if (reading.Type == "spo2" && value is < 0 or > 100)
            {
                return NormalizationResult.Rejected("impossible value: spo2 outside 0-100 %");
            }

            if (reading.OccurrenceTime > now.AddDays(1))
            {
                return NormalizationResult.Rejected("time is in the future");
            }
        }

        return NormalizationResult.Accepted(readings);
    }
}
