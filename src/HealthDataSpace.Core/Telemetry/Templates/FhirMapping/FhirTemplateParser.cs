using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

/// <summary>
/// Parses a MedTech FHIR destination file (<c>fhirmapping.json</c>): a CollectionFhir of CodeValueFhir templates with
/// MedTech's required fields (typeName, codes), value types SampledData, Quantity, String and CodeableConcept (names
/// case-insensitive), optional components and category. Type names must be unique. Every problem is one error line.
/// </summary>
internal static class FhirTemplateParser
{
    public const string CollectionType = "CollectionFhir";

    public static (IReadOnlyList<CodeValueFhirTemplate> Templates, IReadOnlyList<string> Errors) Parse(string json)
    {
        var errors = new List<string>();
        var templates = new List<CodeValueFhirTemplate>();
        var typeNames = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in TemplateCollectionReader.Read(json, CollectionType, errors))
        {
            if (!TemplateObjectReader.IsTemplateType(entry.TemplateType, "CodeValueFhir"))
            {
                errors.Add($"{entry.Location}: unknown templateType '{entry.TemplateType}' (expected CodeValueFhir){TemplateObjectReader.LineOf(entry.Template)}");
                continue;
            }

            if (ParseOne(entry, errors) is not { } template)
            {
                continue;
            }

            if (typeNames.TryGetValue(template.TypeName, out var first))
            {
                errors.Add($"{entry.Location} (CodeValueFhir '{template.TypeName}'): Duplicate template defined for type name '{template.TypeName}' (first at template[{first}])");
                continue;
            }

            typeNames[template.TypeName] = entry.Index;
            templates.Add(template);
        }

        return (templates, errors);
    }

    private static CodeValueFhirTemplate? ParseOne(TemplateEntry entry, List<string> errors)
    {
        var reader = new TemplateObjectReader(entry.Template, $"{entry.Location} (CodeValueFhir)", errors);
        var before = reader.ErrorCount;
        var typeName = reader.RequiredString("typeName");
        if (typeName is not null)
        {
            reader.Location = $"{entry.Location} (CodeValueFhir '{typeName}')";
        }

        var period = ReadPeriod(reader);
        var codes = ReadCodes(reader, "codes", required: true);
        var category = ReadCategory(reader);
        var value = reader.Object("value", required: false) is { } valueJson ? ReadValue(reader.Nested(valueJson, $"{reader.Location} value")) : null;
        var components = ReadComponents(reader);
        reader.RejectUnknownFields();

        return reader.ErrorCount > before || typeName is null
            ? null
            : new CodeValueFhirTemplate(entry.Index, typeName, period, codes, category, value, components);
    }

    private static ObservationPeriodInterval ReadPeriod(TemplateObjectReader reader)
    {
        var token = reader.Field("periodInterval");
        if (token is null)
        {
            return ObservationPeriodInterval.Single;
        }

        if (token.Type == JTokenType.Integer && Enum.IsDefined(typeof(ObservationPeriodInterval), token.Value<int>()))
        {
            return (ObservationPeriodInterval)token.Value<int>();
        }

        if (token.Type == JTokenType.String && Enum.TryParse<ObservationPeriodInterval>(token.Value<string>(), ignoreCase: true, out var named)
            && Enum.IsDefined(named))
        {
            return named;
        }

        reader.Error("periodInterval", "must be 0 (one per reading), 60 (hourly), 1440 (daily) or -1 (per correlation id)", token);
        return ObservationPeriodInterval.Single;
    }

    // MedTech requires none of code, system and display (its own invalid test input has codings without a code).
    private static List<FhirCoding> ReadCodes(TemplateObjectReader reader, string field, bool required) =>
        ReadObjects(reader, field, required, coding => new FhirCoding(coding.String("system"), coding.String("code"), coding.String("display")));

    private static List<FhirCategory> ReadCategory(TemplateObjectReader reader) =>
        ReadObjects(reader, "category", required: false, category => new FhirCategory(category.String("text"), ReadCodes(category, "codes", required: false)));

    private static List<FhirComponentTemplate> ReadComponents(TemplateObjectReader reader) =>
        ReadObjects(reader, "components", required: false, component =>
        {
            var codes = ReadCodes(component, "codes", required: true);
            var value = component.Object("value", required: true) is { } valueJson
                ? ReadValue(component.Nested(valueJson, $"{component.Location} value"))
                : null;
            return value is null ? null : new FhirComponentTemplate(codes, value);
        });

    /// <summary>Reads each object of an array field with its own reader (unknown fields rejected); null results are dropped.</summary>
    private static List<T> ReadObjects<T>(TemplateObjectReader reader, string field, bool required, Func<TemplateObjectReader, T?> read)
        where T : class
    {
        var items = new List<T>();
        if (reader.Array(field, required) is not { } array)
        {
            return items;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JObject json)
            {
                reader.Error($"{field}[{i}]", "must be an object", array[i]);
                continue;
            }

            var item = reader.Nested(json, $"{reader.Location} {field}[{i}]");
            var result = read(item);
            item.RejectUnknownFields();
            if (result is not null)
            {
                items.Add(result);
            }
        }

        return items;
    }

    private static FhirValueTemplate? ReadValue(TemplateObjectReader reader)
    {
        var valueType = reader.RequiredString("valueType");
        var valueName = reader.RequiredString("valueName");
        FhirValueTemplate? value = null;
        switch (valueType?.ToUpperInvariant())
        {
            case null:
                break;
            case "SAMPLEDDATA":
                var period = reader.Field("defaultPeriod");
                var unit = reader.Field("unit")?.Value<string>();
                if (period is null || (period.Type != JTokenType.Integer && period.Type != JTokenType.Float) || period.Value<decimal>() <= 0)
                {
                    reader.Error("defaultPeriod", "is required for SampledData: the milliseconds between samples, above 0", period);
                }
                else if (valueName is not null)
                {
                    value = new SampledDataValueTemplate(valueName, period.Value<decimal>(), unit);
                }

                break;
            case "QUANTITY":
                var quantityUnit = reader.Field("unit")?.Value<string>();
                var code = reader.String("code");
                var system = reader.String("system");
                value = valueName is null ? null : new QuantityValueTemplate(valueName, quantityUnit, code, system);
                break;
            case "STRING":
                value = valueName is null ? null : new StringValueTemplate(valueName);
                break;
            case "CODEABLECONCEPT":
                var text = reader.String("text");
                var codes = ReadCodes(reader, "codes", required: false);
                value = valueName is null ? null : new CodeableConceptValueTemplate(valueName, text, codes);
                break;
            default:
                reader.Error("valueType", "must be SampledData, Quantity, String or CodeableConcept");
                break;
        }

        reader.RejectUnknownFields();
        return value;
    }
}
