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

    private static List<FhirCoding> ReadCodes(TemplateObjectReader reader, string field, bool required)
    {
        var codes = new List<FhirCoding>();
        if (reader.Array(field, required) is not { } array)
        {
            return codes;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JObject json)
            {
                reader.Error($"{field}[{i}]", "must be an object", array[i]);
                continue;
            }

            var coding = reader.Nested(json, $"{reader.Location} {field}[{i}]");
            // MedTech requires none of the three (its own invalid test input has codings without a code).
            var code = coding.String("code");
            var system = coding.String("system");
            var display = coding.String("display");
            coding.RejectUnknownFields();
            codes.Add(new FhirCoding(system, code, display));
        }

        return codes;
    }

    private static List<FhirCategory> ReadCategory(TemplateObjectReader reader)
    {
        var categories = new List<FhirCategory>();
        if (reader.Array("category", required: false) is not { } array)
        {
            return categories;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JObject json)
            {
                reader.Error($"category[{i}]", "must be an object", array[i]);
                continue;
            }

            var category = reader.Nested(json, $"{reader.Location} category[{i}]");
            var text = category.String("text");
            var codes = ReadCodes(category, "codes", required: false);
            category.RejectUnknownFields();
            categories.Add(new FhirCategory(text, codes));
        }

        return categories;
    }

    private static List<FhirComponentTemplate> ReadComponents(TemplateObjectReader reader)
    {
        var components = new List<FhirComponentTemplate>();
        if (reader.Array("components", required: false) is not { } array)
        {
            return components;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JObject json)
            {
                reader.Error($"components[{i}]", "must be an object", array[i]);
                continue;
            }

            var component = reader.Nested(json, $"{reader.Location} components[{i}]");
            var codes = ReadCodes(component, "codes", required: true);
            var value = component.Object("value", required: true) is { } valueJson
                ? ReadValue(component.Nested(valueJson, $"{component.Location} value"))
                : null;
            component.RejectUnknownFields();
            if (value is not null)
            {
                components.Add(new FhirComponentTemplate(codes, value));
            }
        }

        return components;
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
