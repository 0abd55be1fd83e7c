using System.Globalization;
using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// Turns one message's structured measurements into readings (rules in <see cref="MeasurementTypeIndex"/>): a
/// single-value type gives one reading per measurement; measurements of a several-value type (blood pressure) that
/// share a time give one reading, which must carry every value the template marks required. Units convert to the
/// stored unit (<see cref="MeasurementUnits"/>). A measurement without a time takes <paramref name="unsetTime"/> (the
/// message's enqueued time, itself the receive time when the device sent none). One instance per message.
/// </summary>
internal sealed class StructuredMeasurementNormalizer(
    MeasurementTypeIndex index,
    TelemetryNormalizerOptions options,
    DateTimeOffset now,
    DateTimeOffset unsetTime)
{
    public NormalizationResult Normalize(IReadOnlyList<DeviceMeasurement> measurements)
    {
        if (measurements.Count == 0)
        {
            return NormalizationResult.Rejected("the message has no measurements");
        }

        if (measurements.Count > options.MaxReadingsPerMessage)
        {
            return NormalizationResult.Rejected(string.Create(CultureInfo.InvariantCulture, $"the message holds more than {options.MaxReadingsPerMessage} measurements"));
        }

        if (NormalizeSingleValues(measurements) is { } single)
        {
            return single;
        }

        // Readings in the order of their first measurement; composite ones filled in as their parts arrive.
        var readings = new List<object>(measurements.Count);
        Dictionary<(string Type, DateTimeOffset Time), CompositeReading>? composites = null;
        for (var i = 0; i < measurements.Count; i++)
        {
            var measurement = measurements[i];
            if (Resolve(measurement, i, out var target) is { } problem)
            {
                return NormalizationResult.Rejected(problem);
            }

            if (!double.IsFinite(measurement.Value))
            {
                return NormalizationResult.Rejected($"measurement {i} ({target.Type.TypeName}): the value is not a finite number");
            }

            if (!MeasurementUnits.TryConvert(target.Type.TypeName, measurement.Unit, measurement.Value, out var value))
            {
                return NormalizationResult.Rejected($"measurement {i} ({target.Type.TypeName}): the unit is not one this gateway understands for {target.Type.TypeName}");
            }

            var text = ReadingValueText.Format(value);
            var time = TimeOf(measurement);
            if (!target.Type.IsComposite)
            {
                readings.Add(new NormalizedReading(target.Type.TypeName, time, [new ReadingValue(target.ValueName, text)]));
                continue;
            }

            composites ??= [];
            if (!composites.TryGetValue((target.Type.TypeName, time), out var composite))
            {
                composites[(target.Type.TypeName, time)] = composite = new CompositeReading(target.Type, time, i);
                readings.Add(composite);
            }

            if (!composite.Values.TryAdd(target.ValueName, text))
            {
                return NormalizationResult.Rejected($"measurement {i} ({target.Type.TypeName}): '{target.ValueName}' is given twice for the same time");
            }
        }

        var result = new NormalizedReading[readings.Count];
        for (var r = 0; r < readings.Count; r++)
        {
            if (readings[r] is CompositeReading composite)
            {
                if (composite.Type.Values.FirstOrDefault(v => v.Required && !composite.Values.ContainsKey(v.Name)) is { Name: { } missing })
                {
                    return NormalizationResult.Rejected(
                        $"measurement {composite.FirstIndex} ({composite.Type.TypeName}): no '{missing}' measurement shares its time, and {composite.Type.TypeName} requires it");
                }

                result[r] = new NormalizedReading(
                    composite.Type.TypeName,
                    composite.Time,
                    [.. composite.Type.Values.Where(v => composite.Values.ContainsKey(v.Name)).Select(v => new ReadingValue(v.Name, composite.Values[v.Name]))]);
            }
            else
            {
                result[r] = (NormalizedReading)readings[r];
            }

            if (TemplateTelemetryNormalizer.Check(result[r], now, options) is { } reason)
            {
                return NormalizationResult.Rejected($"reading {r} ({result[r].Type}): {reason}");
            }
        }

        return NormalizationResult.Accepted(result);
    }

    /// <summary>
    /// The common case — every measurement is a reading of its own (no blood-pressure parts) — without the bookkeeping
    /// composites need: one reading per measurement, checked on the number before it becomes text. Null when a
    /// measurement belongs to a several-value type or cannot be resolved: the general path then decides, with its
    /// own reasons. The reasons given here are the general path's, word for word.
    /// </summary>
    private NormalizationResult? NormalizeSingleValues(IReadOnlyList<DeviceMeasurement> measurements)
    {
        var kinds = SingleValueKinds.Current;
        var result = new NormalizedReading[measurements.Count];
        Span<double> values = measurements.Count <= 64 ? stackalloc double[measurements.Count] : new double[measurements.Count];
        for (var i = 0; i < measurements.Count; i++)
        {
            var measurement = measurements[i];
            if (kinds.Resolve(index, options.Plausibility, measurement.Type, measurement.Unit) is not { } kind)
            {
                return null;
            }

            var typeName = kind.Target.Type.TypeName;
            if (!double.IsFinite(measurement.Value))
            {
                return NormalizationResult.Rejected($"measurement {i} ({typeName}): the value is not a finite number");
            }

            if (kind.Convert is null)
            {
                return NormalizationResult.Rejected($"measurement {i} ({typeName}): the unit is not one this gateway understands for {typeName}");
            }

            values[i] = kind.Convert(measurement.Value);
            if (!double.IsFinite(values[i]))
            {
                // A conversion overflowed (1.7e308 °F): the general path words that case; leave it to it.
                return null;
            }

            result[i] = new NormalizedReading(typeName, TimeOf(measurement), [new ReadingValue(kind.Target.ValueName, ReadingValueText.Format(values[i]))]);
        }

        // Checked after every measurement was read, as the general path does, so the first problem named is the same.
        for (var r = 0; r < result.Length; r++)
        {
            var reading = result[r];
            var rules = kinds.Resolve(index, options.Plausibility, measurements[r].Type, measurements[r].Unit)!.Rules;
            if (TemplateTelemetryNormalizer.Check(reading.Type, reading.OccurrenceTime, reading.Values[0].Name, values[r], rules, now, options) is { } reason)
            {
                return NormalizationResult.Rejected($"reading {r} ({reading.Type}): {reason}");
            }
        }

        return NormalizationResult.Accepted(result);
    }

    private DateTimeOffset TimeOf(DeviceMeasurement measurement) => (measurement.Time == default ? unsetTime : measurement.Time).ToUniversalTime();

    private string? Resolve(DeviceMeasurement measurement, int i, out MeasurementTarget target)
    {
        if (string.IsNullOrWhiteSpace(measurement.Type))
        {
            target = default;
            return $"measurement {i} has no type";
        }

        if (index.TryResolve(measurement.Type.Trim(), out target))
        {
            return null;
        }

        // The type is echoed only when it is a known template type name, never free text from the device.
        return index.IsCompositeTypeName(measurement.Type.Trim())
            ? $"measurement {i}: {measurement.Type.Trim().ToLowerInvariant()} has several values; send each as its own measurement named after the value (e.g. {measurement.Type.Trim().ToLowerInvariant()}-<value>) sharing one time"
            : $"measurement {i}: its type is not a reading type of the device-content templates";
    }

    private sealed class CompositeReading(MeasurementType type, DateTimeOffset time, int firstIndex)
    {
        public MeasurementType Type { get; } = type;

        public DateTimeOffset Time { get; } = time;

        public int FirstIndex { get; } = firstIndex;

        public Dictionary<string, string> Values { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
