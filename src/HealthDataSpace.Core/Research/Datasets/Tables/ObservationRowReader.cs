using System.Globalization;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>
/// Turns a pseudonymised Observation into <c>observations</c> rows. Without components: one row. With components
/// (blood pressure): one row per component, its code and value, with the Observation's code as <c>parent_code</c>
/// and <c>component_index</c> set; plus one row for the Observation's own value when it has one. Every row of an
/// Observation is built before any is returned, so a bad component refuses the whole Observation.
/// </summary>
internal static class ObservationRowReader
{
    public static List<ObservationRow> Rows(JsonFields resource)
    {
        var id = resource.RequiredString("id");
        var patient = ResourceRowReader.PatientOf(resource);
        var encounter = resource.ReferencedId("encounter", "Encounter");
        var status = resource.String("status");
        var category = resource.First("category")?.FirstCoding().Code;
        var code = resource.FirstCodingOf("code");
        var effective = ResourceRowReader.StartOf(resource, "effective");
        var ownValue = Value(resource);

        var rows = new List<ObservationRow>(1);
        var index = 0;
        foreach (var component in resource.Items("component"))
        {
            rows.Add(new ObservationRow(id, patient, encounter, status, category, component.FirstCodingOf("code"), code, index++, effective, Value(component)));
        }

        if (rows.Count == 0 || ownValue.Type is not null)
        {
            rows.Insert(0, new ObservationRow(id, patient, encounter, status, category, code, default, null, effective, ownValue));
        }

        return rows;
    }

    /// <summary>The <c>value[x]</c> of an Observation or component, by its type.</summary>
    private static ObservationValue Value(JsonFields holder)
    {
        if (holder.Choice("value") is not var (type, value))
        {
            return ObservationValue.None;
        }

        var name = "value" + type;
        switch (type)
        {
            case "Quantity":
                var quantity = holder.ObjectOf(value, name);
                return new ObservationValue("Quantity", Number: quantity.Number("value"), Unit: quantity.String("unit") ?? quantity.String("code"),
                    Comparator: quantity.String("comparator"));
            case "CodeableConcept":
                return new ObservationValue("CodeableConcept", Coding: holder.ObjectOf(value, name).FirstCoding());
            case "String":
                return new ObservationValue("string", Text: holder.StringOf(value, name));
            case "Boolean":
                return new ObservationValue("boolean", Boolean: holder.BooleanOf(value, name));
            case "Integer":
                return new ObservationValue("integer", Number: holder.NumberOf(value, name));
            case "DateTime":
                return new ObservationValue("dateTime", DateTimeValue: holder.TimestampOf(value, name));
            case "Period":
                return new ObservationValue("Period", DateTimeValue: holder.ObjectOf(value, name).Timestamp("start"));
            case "SampledData":
                return Sampled(holder.ObjectOf(value, name));
            case "Range" or "Ratio":
                _ = holder.ObjectOf(value, name);
                return new ObservationValue(type);
            case "Time":
                return new ObservationValue("time", Text: holder.StringOf(value, name));
            default:
                // The element's name comes from the input: not quoted, as no input text is.
                throw holder.Error("value[x]", "has a type that is not a choice of Observation.value[x]");
        }
    }

    /// <summary>
    /// SampledData: the number of points and, for one dimension, their min, max and mean in the origin's unit; the
    /// series itself stays in the NDJSON. Points of several dimensions interleave, so only their count is given.
    /// </summary>
    private static ObservationValue Sampled(JsonFields sampled)
    {
        var origin = sampled.Object("origin");
        var offset = origin?.Number("value") ?? 0;
        var factor = sampled.Number("factor") ?? 1;
        var dimensions = sampled.Number("dimensions") ?? 1;
        var data = sampled.String("data") ?? string.Empty;
        int count = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        foreach (var range in data.AsSpan().Split(' '))
        {
            var token = data.AsSpan()[range];
            if (token.IsEmpty || token is "E" or "L" or "U")
            {
                continue;
            }

            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var raw))
            {
                throw sampled.Error("data", "holds a point that is neither a decimal nor E, L or U");
            }

            var point = offset + (factor * raw);
            count++;
            sum += point;
            min = Math.Min(min, point);
            max = Math.Max(max, point);
        }

        var single = dimensions == 1 && count > 0;
        var summary = new SampledSummary(count, single ? min : null, single ? max : null, single ? sum / count : null, sampled.Number("period"));
        return new ObservationValue("SampledData", Unit: origin?.String("unit") ?? origin?.String("code"), Sampled: summary);
    }
}
