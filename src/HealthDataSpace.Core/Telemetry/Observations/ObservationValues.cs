using System.Globalization;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Telemetry.Observations;

/// <summary>Builds and merges the Observation value of each CodeValueFhir value type, as MedTech's value processors do.</summary>
internal static class ObservationValues
{
    public static DataType? Create(FhirValueTemplate template, IReadOnlyCollection<KeyValuePair<DateTimeOffset, string>> values, DateTimeOffset start, DateTimeOffset end) =>
        template switch
        {
            SampledDataValueTemplate sampled => new SampledData
            {
                Origin = new Quantity { Value = 0, Unit = sampled.Unit },
                Period = sampled.DefaultPeriod,
                Dimensions = 1,
                Data = SampledDataGrid.Build(values.Select(v => (v.Key, v.Value)), start, end, sampled.DefaultPeriod),
            },
            QuantityValueTemplate quantity => decimal.TryParse(values.First().Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? new Quantity { Value = number, Unit = quantity.Unit, System = quantity.System, Code = quantity.Code }
                : null,
            StringValueTemplate => new FhirString(values.First().Value),
            CodeableConceptValueTemplate concept => new CodeableConcept
            {
                Text = concept.Text,
                Coding = [.. concept.Codes.Select(Coding)],
            },
            _ => null,
        };

    /// <summary>
    /// Folds a new value into a stored one. SampledData: the stored stream is read back slot by slot and the new
    /// values overwrite the slots they fall in (the latest value wins, MedTech's rule for updates), over the possibly
    /// widened period. The other types are replaced by the new value.
    /// </summary>
    public static DataType? Merge(FhirValueTemplate template, DataType? existing, DataType? incoming, DateTimeOffset existingStart, DateTimeOffset incomingStart, DateTimeOffset start, DateTimeOffset end)
    {
        if (template is not SampledDataValueTemplate sampled || incoming is not SampledData newData)
        {
            return incoming ?? existing;
        }

        var combined = new SortedDictionary<DateTimeOffset, string>();
        if (existing is SampledData oldData)
        {
            foreach (var (time, value) in SampledDataGrid.Parse(oldData.Data, existingStart, oldData.Period ?? sampled.DefaultPeriod))
            {
                combined[time] = value;
            }
        }

        foreach (var (time, value) in SampledDataGrid.Parse(newData.Data, incomingStart, newData.Period ?? sampled.DefaultPeriod))
        {
            combined[time] = value;
        }

        return new SampledData
        {
            Origin = (existing as SampledData)?.Origin ?? newData.Origin,
            Period = sampled.DefaultPeriod,
            Dimensions = 1,
            Data = SampledDataGrid.Build(combined.Select(v => (v.Key, v.Value)), start, end, sampled.DefaultPeriod),
        };
    }

    public static Coding Coding(FhirCoding code) => new(code.System, code.Code, code.Display);
}
