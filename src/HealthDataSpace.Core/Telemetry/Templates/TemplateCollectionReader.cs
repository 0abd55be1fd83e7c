using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates;

/// <summary>One entry of a template collection: its position, declared type and body.</summary>
internal sealed record TemplateEntry(int Index, string TemplateType, JObject Template, string Location);

/// <summary>
/// Reads the outer shape shared by both MedTech files: <c>{"templateType": "CollectionContent" | "CollectionFhir",
/// "template": [ {"templateType": ..., "template": {...}}, ... ]}</c>. Problems become error lines; entries that are
/// well-formed are returned even when others are not, so every problem of a file is reported at once.
/// </summary>
internal static class TemplateCollectionReader
{
    private static readonly JsonLoadSettings LoadSettings = new()
    {
        LineInfoHandling = LineInfoHandling.Load,
        CommentHandling = CommentHandling.Ignore,
        DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
    };

    public static IReadOnlyList<TemplateEntry> Read(string json, string collectionType, List<string> errors)
    {
        JToken root;
        try
        {
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
            root = JToken.ReadFrom(reader, LoadSettings);
        }
        catch (JsonReaderException e)
        {
            errors.Add($"the file is not valid JSON: {e.Message}");
            return [];
        }

        if (root is not JObject rootObject)
        {
            errors.Add($"expected an object with templateType {collectionType}{TemplateObjectReader.LineOf(root)}");
            return [];
        }

        var type = rootObject.Property("templateType", StringComparison.OrdinalIgnoreCase)?.Value;
        var typeText = type?.Type == JTokenType.String ? type.Value<string>() : null;
        if (!TemplateObjectReader.IsTemplateType(typeText, collectionType))
        {
            errors.Add($"expected templateType {collectionType}, found {(string.IsNullOrEmpty(typeText) ? "none" : $"'{typeText}'")}{TemplateObjectReader.LineOf(type ?? root)}");
            return [];
        }

        if (rootObject.Property("template", StringComparison.OrdinalIgnoreCase)?.Value is not JArray entries)
        {
            errors.Add($"expected an array for the template property of {collectionType}{TemplateObjectReader.LineOf(root)}");
            return [];
        }

        var result = new List<TemplateEntry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var location = $"template[{i}]";
            if (entries[i] is not JObject container)
            {
                errors.Add($"{location}: expected an object with templateType and template{TemplateObjectReader.LineOf(entries[i])}");
                continue;
            }

            var entryType = container.Property("templateType", StringComparison.OrdinalIgnoreCase)?.Value;
            var entryTypeText = entryType?.Type == JTokenType.String ? entryType.Value<string>() : null;
            if (string.IsNullOrWhiteSpace(entryTypeText))
            {
                errors.Add($"{location}: 'templateType' is required{TemplateObjectReader.LineOf(container)}");
                continue;
            }

            if (container.Property("template", StringComparison.OrdinalIgnoreCase)?.Value is not JObject template)
            {
                errors.Add($"{location} ({entryTypeText}): expected an object for the template property{TemplateObjectReader.LineOf(container)}");
                continue;
            }

            result.Add(new TemplateEntry(i, entryTypeText, template, location));
        }

        return result;
    }
}
