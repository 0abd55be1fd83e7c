using System.Text.Json;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// What an export must know of a stored resource before it may release it: whose data it is (the patient it belongs
/// to), its codes, its clinical date and its security labels — the inputs of the consent decision for that one item.
/// Read straight from the stored JSON (one parse, no Firely objects): exports read millions of resources.
/// </summary>
internal sealed record ExportItem(string? PatientId, IReadOnlyList<string> Codes, DateTimeOffset? Date, IReadOnlyList<string> SecurityLabels)
{
    /// <summary>Elements naming the patient a resource belongs to, in the order they are tried.</summary>
    private static readonly string[] PatientElements = ["subject", "patient", "beneficiary"];

    /// <summary>Elements holding the item's main code(s), matched against consent provision codes.</summary>
    private static readonly string[] CodeElements = ["code", "medicationCodeableConcept", "vaccineCode"];

    /// <summary>The clinical date of the item (matched against a provision's dataPeriod), first present wins.</summary>
    private static readonly string[] DateElements =
    [
        "effectiveDateTime", "effectivePeriod", "effectiveInstant", "onsetDateTime", "onsetPeriod", "recordedDate", "authoredOn",
        "performedDateTime", "performedPeriod", "occurrenceDateTime", "period", "issued", "dateAsserted", "created", "date",
    ];

    public static ExportItem From(string resourceType, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var patient = resourceType == "Patient" ? Text(root, "id") : PatientOf(root);
        var codes = new List<string>();
        foreach (var name in CodeElements)
        {
            if (root.TryGetProperty(name, out var concept) && concept.ValueKind == JsonValueKind.Object)
            {
                codes.AddRange(Codings(concept));
                break;
            }
        }

        var labels = new List<string>();
        if (root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("security", out var security) && security.ValueKind == JsonValueKind.Array)
        {
            labels.AddRange(security.EnumerateArray().Select(Coding).OfType<string>());
        }

        return new ExportItem(patient, codes, DateOf(root), labels);
    }

    private static string? PatientOf(JsonElement root)
    {
        foreach (var name in PatientElements)
        {
            if (root.TryGetProperty(name, out var reference) && reference.ValueKind == JsonValueKind.Object
                && ReferenceParser.TryParse(Text(reference, "reference"), out var type, out var id) && type == "Patient")
            {
                return id;
            }
        }

        return null;
    }

    private static DateTimeOffset? DateOf(JsonElement root)
    {
        foreach (var name in DateElements)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                continue;
            }

            var text = value.ValueKind == JsonValueKind.Object ? Text(value, "start") : value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (FhirDateRange.TryParse(text, out var range))
            {
                return new DateTimeOffset(range.Low, TimeSpan.Zero);
            }
        }

        return null;
    }

    private static IEnumerable<string> Codings(JsonElement concept) =>
        concept.TryGetProperty("coding", out var codings) && codings.ValueKind == JsonValueKind.Array
            ? codings.EnumerateArray().Select(Coding).OfType<string>()
            : [];

    private static string? Coding(JsonElement coding)
    {
        if (coding.ValueKind != JsonValueKind.Object || Text(coding, "code") is not { Length: > 0 } code)
        {
            return null;
        }

        return Text(coding, "system") is { Length: > 0 } system ? system + "|" + code : code;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
