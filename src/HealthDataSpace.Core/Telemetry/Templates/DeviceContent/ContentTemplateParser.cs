using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>
/// Parses a MedTech device-content file (<c>devicecontent.json</c>): a CollectionContent of JsonPathContent,
/// IotJsonPathContent, IotCentralJsonPathContent and CalculatedContent templates, with MedTech's required fields and
/// defaults. Every problem is one error line; valid templates are kept even when others are not (MedTech's
/// "mixed validity" behaviour), and the loader decides whether errors are fatal.
/// </summary>
internal static class ContentTemplateParser
{
    public const string CollectionType = "CollectionContent";

    private static readonly TemplateExpression[] IotHubTimestamps =
    [
        new JsonPathTemplateExpression("$.Properties.iothub-creation-time-utc"),
        new JsonPathTemplateExpression("$.SystemProperties.iothub-enqueuedtime"),
    ];

    private static readonly TemplateExpression IotHubDeviceId = new JsonPathTemplateExpression("$.SystemProperties.iothub-connection-device-id");
    private static readonly TemplateExpression IotCentralDeviceId = new JsonPathTemplateExpression("$.deviceId");
    private static readonly TemplateExpression[] IotCentralTimestamps = [new JsonPathTemplateExpression("$.enqueuedTime")];

    public static (IReadOnlyList<ContentTemplate> Templates, IReadOnlyList<string> Errors) Parse(string json)
    {
        var errors = new List<string>();
        var templates = new List<ContentTemplate>();
        foreach (var entry in TemplateCollectionReader.Read(json, CollectionType, errors))
        {
            var kind = KindOf(entry.TemplateType);
            if (kind is null)
            {
                errors.Add($"{entry.Location}: unknown templateType '{entry.TemplateType}' (expected JsonPathContent, IotJsonPathContent, IotCentralJsonPathContent or CalculatedContent){TemplateObjectReader.LineOf(entry.Template)}");
                continue;
            }

            if (ParseOne(entry, kind.Value, errors) is { } template)
            {
                templates.Add(template);
            }
        }

        return (templates, errors);
    }

    private static ContentTemplateKind? KindOf(string templateType) =>
        TemplateObjectReader.IsTemplateType(templateType, "JsonPathContent") ? ContentTemplateKind.JsonPath
        : TemplateObjectReader.IsTemplateType(templateType, "IotJsonPathContent") ? ContentTemplateKind.IotJsonPath
        : TemplateObjectReader.IsTemplateType(templateType, "IotCentralJsonPathContent") ? ContentTemplateKind.IotCentralJsonPath
        : TemplateObjectReader.IsTemplateType(templateType, "CalculatedContent") ? ContentTemplateKind.Calculated
        : null;

    private static ContentTemplate? ParseOne(TemplateEntry entry, ContentTemplateKind kind, List<string> errors)
    {
        var reader = new TemplateObjectReader(entry.Template, $"{entry.Location} ({entry.TemplateType})", errors);
        var before = reader.ErrorCount;

        var typeName = reader.RequiredString("typeName");
        if (typeName is not null)
        {
            reader.Location = $"{entry.Location} ({entry.TemplateType} '{typeName}')";
        }

        var defaultLanguage = ExpressionLanguage.JsonPath;
        if (kind == ContentTemplateKind.Calculated && reader.String("defaultExpressionLanguage") is { } languageText)
        {
            if (!Enum.TryParse(languageText, ignoreCase: true, out defaultLanguage))
            {
                reader.Error("defaultExpressionLanguage", "must be JsonPath or JmesPath");
            }
        }

        var expressions = new ExpressionReader(reader, kind, defaultLanguage);
        var typeMatch = expressions.Read("typeMatchExpression", required: true);
        var isIot = kind is ContentTemplateKind.IotJsonPath or ContentTemplateKind.IotCentralJsonPath;

        TemplateExpression? deviceId = null, timestamp = null;
        if (isIot)
        {
            // MedTech's IoT templates ignore these two fields (their values are fixed), so they are accepted and unused.
            _ = reader.Field("deviceIdExpression");
            _ = reader.Field("timestampExpression");
        }
        else
        {
            deviceId = expressions.Read("deviceIdExpression", required: true);
            timestamp = expressions.Read("timestampExpression", required: true);
        }

        // Patient and encounter come from the device registration in this gateway; the expressions are validated so a
        // MedTech file loads unchanged, and not evaluated.
        _ = expressions.Read("patientIdExpression", required: false);
        _ = expressions.Read("encounterIdExpression", required: false);
        var correlationId = expressions.Read("correlationIdExpression", required: false);
        var values = ReadValues(reader, expressions);
        reader.RejectUnknownFields();

        if (reader.ErrorCount > before || typeName is null || typeMatch is null)
        {
            return null;
        }

        return new ContentTemplate
        {
            Index = entry.Index,
            Kind = kind,
            TypeName = typeName,
            TypeMatch = typeMatch,
            DeviceId = kind switch
            {
                ContentTemplateKind.IotJsonPath => IotHubDeviceId,
                ContentTemplateKind.IotCentralJsonPath => IotCentralDeviceId,
                _ => deviceId!,
            },
            Timestamp = kind switch
            {
                ContentTemplateKind.IotJsonPath => IotHubTimestamps,
                ContentTemplateKind.IotCentralJsonPath => IotCentralTimestamps,
                _ => [timestamp!],
            },
            CorrelationId = correlationId,
            Values = values,
            Prefilter = PropertyNamePrefilter.For(typeMatch),
        };
    }

    private static List<ContentValue> ReadValues(TemplateObjectReader reader, ExpressionReader expressions)
    {
        var values = new List<ContentValue>();
        if (reader.Array("values", required: false) is not { } array)
        {
            return values;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JObject item)
            {
                reader.Error($"values[{i}]", "must be an object", array[i]);
                continue;
            }

            var itemReader = reader.Nested(item, $"{reader.Location} values[{i}]");
            var before = itemReader.ErrorCount;
            var name = itemReader.RequiredString("valueName");
            var expression = expressions.For(itemReader).Read("valueExpression", required: true);
            var required = itemReader.Boolean("required", defaultValue: false);
            itemReader.RejectUnknownFields();
            if (name is not null && !names.Add(name))
            {
                itemReader.Error("valueName", "repeats the name of an earlier value of this template", item);
            }

            if (itemReader.ErrorCount == before && name is not null && expression is not null)
            {
                values.Add(new ContentValue(name, expression, required));
            }
        }

        return values;
    }
}
