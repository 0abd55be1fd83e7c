using System.Globalization;
using System.Text.Json;
using System.Xml;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// Reads a cohort definition: <c>{ "all" | "any": [C...] }</c>, <c>{ "not": C }</c> or one criterion
/// (<c>condition</c>, <c>observation</c>, <c>medication</c>, <c>age</c>, <c>gender</c>, <c>telemetry</c>). Anything
/// else is a 400 naming the JSON path, so a typo never silently widens or narrows a cohort.
/// </summary>
internal static class CohortCriteriaParser
{
    private const int MaxDepth = 16;
    private const int MaxNodes = 200;

    public static CohortCriterion Parse(JsonElement json)
    {
        var nodes = 0;
        return Node(json, "$", 0, ref nodes);
    }

    private static CohortCriterion Node(JsonElement json, string path, int depth, ref int nodes)
    {
        if (++nodes > MaxNodes || depth > MaxDepth)
        {
            throw Bad(path, $"a cohort may have at most {MaxNodes} criteria, nested at most {MaxDepth} deep");
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, "expected an object");
        }

        var properties = json.EnumerateObject().ToList();
        if (properties.Count != 1)
        {
            throw Bad(path, "expected exactly one of all, any, not, condition, observation, medication, age, gender, telemetry");
        }

        var (name, value) = (properties[0].Name, properties[0].Value);
        var at = $"{path}.{name}";
        switch (name)
        {
            case "all" or "any":
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                {
                    throw Bad(at, "expected a non-empty array of criteria");
                }

                var items = new List<CohortCriterion>();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    items.Add(Node(item, $"{at}[{index++}]", depth + 1, ref nodes));
                }

                return name == "all" ? new AllOf(items) : new AnyOf(items);
            case "not":
                return new NotOf(Node(value, at, depth + 1, ref nodes));
            case "condition":
                Allow(value, at, "code", "onset");
                return new ConditionCriterion(Code(value, at), DateBound(value, "onset", at));
            case "observation":
                Allow(value, at, "code", "value", "date");
                return new ObservationCriterion(Code(value, at), NumberBound(value, "value", at), DateBound(value, "date", at));
            case "medication":
                Allow(value, at, "code");
                return new MedicationCriterion(Code(value, at));
            case "age":
                return new AgeCriterion(NumberBound(value, null, at)!);
            case "gender":
                return value.ValueKind == JsonValueKind.String && value.GetString() is "female" or "male" or "other" or "unknown"
                    ? new GenderCriterion(value.GetString()!)
                    : throw Bad(at, "expected female, male, other or unknown");
            case "telemetry":
                return Telemetry(value, at);
            default:
                throw Bad(at, "unknown criterion");
        }
    }

    private static TelemetryCriterion Telemetry(JsonElement value, string at)
    {
        Allow(value, at, "type", "aggregate", "gt", "ge", "lt", "le", "window");
        if (!TelemetryTypes.TryGet(Text(value, "type", at), out var type))
        {
            throw Bad($"{at}.type", $"expected one of {string.Join(", ", TelemetryTypes.Names)}");
        }

        var aggregate = Text(value, "aggregate", at);
        if (aggregate is not ("avg" or "min" or "max"))
        {
            throw Bad($"{at}.aggregate", "expected avg, min or max");
        }

        TimeSpan window;
        try
        {
            window = XmlConvert.ToTimeSpan(Text(value, "window", at));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw Bad($"{at}.window", "expected an ISO 8601 duration such as P30D");
        }

        if (window <= TimeSpan.Zero || window > TimeSpan.FromDays(3660))
        {
            throw Bad($"{at}.window", "expected a positive duration of at most ten years");
        }

        var bound = NumberBound(value, null, at, allowOthers: true)!;
        return new TelemetryCriterion(type, aggregate, bound, window);
    }

    private static string Code(JsonElement value, string at)
    {
        var code = Text(value, "code", at);
        var bar = code.IndexOf('|', StringComparison.Ordinal);
        return bar == 0 || bar == code.Length - 1 || code.Contains(' ', StringComparison.Ordinal)
            ? throw Bad($"{at}.code", "expected system|code or a bare code")
            : code;
    }

    private static string Text(JsonElement value, string name, string at) =>
        value.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } s
            ? s
            : throw Bad($"{at}.{name}", "required text is missing");

    private static void Allow(JsonElement value, string at, params string[] names)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(at, "expected an object");
        }

        foreach (var property in value.EnumerateObject())
        {
            if (!names.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Bad($"{at}.{property.Name}", $"unknown member; expected {string.Join(", ", names)}");
            }
        }
    }

    /// <summary>A bound object (<paramref name="member"/> of <paramref name="value"/>, or the value itself when null).</summary>
    private static Bound? NumberBound(JsonElement value, string? member, string at, bool allowOthers = false) =>
        ReadBound(value, member, at, allowOthers, (element, path) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number) && double.IsFinite(number)
                ? number
                : throw Bad(path, "expected a finite number"));

    private static Bound? DateBound(JsonElement value, string member, string at) =>
        ReadBound(value, member, at, allowOthers: false, (element, path) =>
            element.ValueKind == JsonValueKind.String && FhirDateRange.TryParse(element.GetString(), out var range)
                ? range.Low
                : throw Bad(path, "expected a FHIR date such as 2020-01-01"));

    private static Bound? ReadBound(JsonElement value, string? member, string at, bool allowOthers, Func<JsonElement, string, double> read)
    {
        JsonElement bound;
        var path = member is null ? at : $"{at}.{member}";
        if (member is null)
        {
            bound = value;
        }
        else if (!value.TryGetProperty(member, out bound))
        {
            return null;
        }

        if (bound.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, "expected an object with gt, ge, lt or le");
        }

        double? gt = null, ge = null, lt = null, le = null;
        foreach (var property in bound.EnumerateObject())
        {
            var at2 = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "gt": gt = read(property.Value, at2); break;
                case "ge": ge = read(property.Value, at2); break;
                case "lt": lt = read(property.Value, at2); break;
                case "le": le = read(property.Value, at2); break;
                default:
                    if (!allowOthers)
                    {
                        throw Bad(at2, "expected gt, ge, lt or le");
                    }

                    break;
            }
        }

        return gt is null && ge is null && lt is null && le is null
            ? throw Bad(path, "expected at least one of gt, ge, lt, le")
            : new Bound(gt, ge, lt, le);
    }

    private static FhirException Bad(string path, string problem) =>
        new(400, Hl7.Fhir.Model.OperationOutcome.IssueType.Invalid, $"The cohort criteria are not valid at {path}: {problem}.");
}
