using System.Text.Json;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>The first coding of a CodeableConcept (or a Coding itself); every part null when absent.</summary>
internal readonly record struct FirstCoding(string? System, string? Code, string? Display);

/// <summary>
/// Reads the elements a table needs from one JSON object of a resource, strictly: an element of the wrong JSON kind
/// or an unreadable date is a <see cref="DatasetRowException"/> naming its path (never its value), so a resource the
/// tables cannot represent faithfully is refused whole rather than written half-right. Empty strings read as absent:
/// the tables hold nulls, never "".
/// </summary>
internal readonly struct JsonFields(JsonElement element, string resourceType, string path)
{
    public string Path => path;

    /// <summary>The element named <paramref name="name"/>, or false when the object has none.</summary>
    public bool TryGet(string name, out JsonElement value) => element.TryGetProperty(name, out value);

    public string? String(string name) => TryGet(name, out var value) ? StringOf(value, name) : null;

    public string RequiredString(string name) =>
        String(name) ?? throw Error(name, "is required and missing or empty");

    public double? Number(string name) => TryGet(name, out var value) ? NumberOf(value, name) : null;

    public bool? Boolean(string name) => TryGet(name, out var value) ? BooleanOf(value, name) : null;

    /// <summary>A FHIR date, dateTime or instant as the UTC start of the time it names (<c>2020</c> → 2020-01-01T00:00Z).</summary>
    public DateTime? Timestamp(string name) => TryGet(name, out var value) ? TimestampOf(value, name) : null;

    public JsonFields? Object(string name) => TryGet(name, out var value) ? ObjectOf(value, name) : null;

    /// <summary>The items of an array element (each an object); none when absent.</summary>
    public IEnumerable<JsonFields> Items(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, "must be an array");
        }

        return ItemsOf(value, name);
    }

    /// <summary>The first item of an array element, or null when the array is absent or empty.</summary>
    public JsonFields? First(string name)
    {
        foreach (var item in Items(name))
        {
            return item;
        }

        return null;
    }

    /// <summary>The first coding of the CodeableConcept named <paramref name="name"/>.</summary>
    public FirstCoding FirstCodingOf(string name) => Object(name)?.FirstCoding() ?? default;

    /// <summary>This object read as a CodeableConcept: its first coding.</summary>
    public FirstCoding FirstCoding() => First("coding")?.AsCoding() ?? default;

    /// <summary>This object read as a Coding.</summary>
    public FirstCoding AsCoding() => new(String("system"), String("code"), String("display"));

    /// <summary>
    /// The id a Reference element points at when it is a <c>[base/]Type/id</c> reference to <paramref name="type"/>;
    /// null when the element is absent or references something else (a contained or <c>urn:</c> reference).
    /// </summary>
    public string? ReferencedId(string name, string type) =>
        Object(name)?.String("reference") is { } reference && ReferenceParser.TryParse(reference, out var referencedType, out var id)
            && referencedType == type ? id : null;

    /// <summary>The choice element <c>prefix[x]</c> present on this object: its type suffix and value, or null.</summary>
    public (string Type, JsonElement Value)? Choice(string prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal) && char.IsAsciiLetterUpper(name[prefix.Length]))
            {
                return (name[prefix.Length..], property.Value);
            }
        }

        return null;
    }

    public string? StringOf(JsonElement value, string name) => value.ValueKind == JsonValueKind.String
        ? value.GetString() is { Length: > 0 } text ? text : null
        : throw Error(name, "must be a string");

    public double NumberOf(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw Error(name, "must be a finite number");

    public bool BooleanOf(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error(name, "must be true or false"),
    };

    public DateTime? TimestampOf(JsonElement value, string name) => StringOf(value, name) is not { } text
        ? null
        : FhirDateRange.TryParse(text, out var range)
            ? new DateTime(range.Low, DateTimeKind.Utc)
            : throw Error(name, "is not a FHIR date, dateTime or instant");

    public JsonFields ObjectOf(JsonElement value, string name) => value.ValueKind == JsonValueKind.Object
        ? new JsonFields(value, resourceType, Join(name))
        : throw Error(name, "must be an object");

    public DatasetRowException Error(string name, string problem) => new(resourceType, $"{Join(name)} {problem}");

    private IEnumerable<JsonFields> ItemsOf(JsonElement array, string name)
    {
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemName = $"{name}[{index++}]";
            yield return item.ValueKind == JsonValueKind.Object
                ? new JsonFields(item, resourceType, Join(itemName))
                : throw Error(itemName, "must be an object");
        }
    }

    private string Join(string name) => path.Length == 0 ? name : $"{path}.{name}";
}
