using System.Text.Json;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// What an export must know of a stored resource before it may release it: whose data it is (the patient it belongs
/// to), its codes, its clinical date and its security labels — the inputs of the consent decision for that one item.
/// The owner is found by a forward scan of the stored JSON (most resources of a narrow cohort are dropped on that
/// alone); the rest is read from the element tree the anonymization engine parses anyway, so a released resource is
/// parsed once.
/// </summary>
internal sealed record ExportItem(string? PatientId, IReadOnlyList<string> Codes, DateTimeOffset? Date, IReadOnlyList<string> SecurityLabels)
{
    /// <summary>Elements naming the patient a resource belongs to, in the order they are tried.</summary>
    private static readonly string[] PatientElements = ["subject", "patient", "beneficiary"];

    /// <summary>Elements holding the item's main code(s), matched against consent provision codes (JSON names).</summary>
    private static readonly string[] CodeElements = ["code", "medicationCodeableConcept", "vaccineCode"];

    /// <summary>The clinical date of the item (matched against a provision's dataPeriod), first present wins (JSON names).</summary>
    private static readonly string[] DateElements =
    [
        "effectiveDateTime", "effectivePeriod", "effectiveInstant", "onsetDateTime", "onsetPeriod", "recordedDate", "authoredOn",
        "performedDateTime", "performedPeriod", "occurrenceDateTime", "period", "issued", "dateAsserted", "created", "date",
    ];

    /// <summary>Both steps at once, for callers that have only the JSON.</summary>
    /// <exception cref="FhirParseException">The JSON is not an R4 resource.</exception>
    public static ExportItem From(string resourceType, ReadOnlySpan<byte> utf8Json) =>
        Describe(PatientOf(resourceType, utf8Json), FhirTreeReader.Parse(utf8Json));

    /// <summary>
    /// The id of the patient the resource belongs to: its own id for a Patient, else the first of <c>subject</c>,
    /// <c>patient</c>, <c>beneficiary</c> that references a Patient. Only top-level properties count (a contained
    /// resource's subject is not the owner). Null when there is none or the JSON is malformed before the owner was
    /// found (what follows a decisive owner is not read: the engine's strict parse reports malformed JSON, for
    /// resources that get that far).
    /// </summary>
    public static string? PatientOf(string resourceType, ReadOnlySpan<byte> utf8Json)
    {
        var isPatient = resourceType == "Patient";
        // The first owner element the type declares decides as soon as it is read and names a Patient: no element
        // tried before it can follow, so the rest of the resource (often most of it) is not scanned.
        var decisive = isPatient ? -1 : FirstDeclaredPatientElement(resourceType);
        var references = new string?[PatientElements.Length];
        var reader = new Utf8JsonReader(utf8Json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (isPatient && reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                var slot = isPatient ? -1 : PatientElementIndex(ref reader);
                reader.Read();
                if (slot >= 0 && reader.TokenType == JsonTokenType.StartObject)
                {
                    references[slot] = ReferenceIn(ref reader);
                    if (slot == decisive && ReferenceParser.TryParse(references[slot], out var type, out var id) && type == "Patient")
                    {
                        return id;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        foreach (var reference in references)
        {
            if (ReferenceParser.TryParse(reference, out var type, out var id) && type == "Patient")
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>The consent facts of a parsed resource (before anonymization), for the owner found by <see cref="PatientOf"/>.</summary>
    public static ExportItem Describe(string? patientId, FhirNode resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var codes = new List<string>();
        foreach (var name in CodeElements)
        {
            if (Child(resource, name) is { Type.IsPrimitive: false } concept)
            {
                AddCodings(concept, "coding", codes);
                break;
            }
        }

        var labels = new List<string>();
        if (Child(resource, "meta") is { } meta)
        {
            AddCodings(meta, "security", labels);
        }

        return new ExportItem(patientId, codes, DateOf(resource), labels);
    }

    /// <summary>Index in <see cref="PatientElements"/> of the first one the R4 type declares; -1 when none (or unknown type).</summary>
    /// <summary>
    /// Whether consent lets this item go to <paramref name="recipient"/> for <paramref name="purpose"/> at
    /// <paramref name="at"/>: every code must be allowed (a provision can deny one coding of a concept); an item
    /// without a code is decided by its type.
    /// </summary>
    public bool AllowedBy(ConsentIndex consents, string purpose, string? recipient, string resourceType, string? resource, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(consents);
        if (Codes.Count == 0)
        {
            return Allowed(null);
        }

        foreach (var code in Codes)
        {
            if (!Allowed(code))
            {
                return false;
            }
        }

        return true;

        bool Allowed(string? code) => consents.Evaluate(new ConsentDecisionRequest("Patient/" + PatientId, purpose, recipient, resourceType, code,
            SecurityLabels, Date, at, resource)).Permit;
    }

    private static int FirstDeclaredPatientElement(string resourceType)
    {
        if (FhirTypeCatalog.FindResource(resourceType) is not { } type)
        {
            return -1;
        }

        for (var i = 0; i < PatientElements.Length; i++)
        {
            if (type.TryGetElement(PatientElements[i], out _))
            {
                return i;
            }
        }

        return -1;
    }

    private static int PatientElementIndex(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < PatientElements.Length; i++)
        {
            if (reader.ValueTextEquals(PatientElements[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The <c>reference</c> string of the Reference object the reader stands on; leaves the reader at its end.</summary>
    private static string? ReferenceIn(ref Utf8JsonReader reader)
    {
        string? reference = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isReference = reader.ValueTextEquals("reference"u8);
            reader.Read();
            if (isReference && reader.TokenType == JsonTokenType.String)
            {
                reference = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return reference;
    }

    private static DateTimeOffset? DateOf(FhirNode resource)
    {
        foreach (var name in DateElements)
        {
            if (Child(resource, name) is not { } value)
            {
                continue;
            }

            var text = value.Type.IsPrimitive ? value.Value : Child(value, "start")?.Value;
            if (FhirDateRange.TryParse(text, out var range))
            {
                return new DateTimeOffset(range.Low, TimeSpan.Zero);
            }
        }

        return null;
    }

    /// <summary>Each Coding child named <paramref name="jsonName"/> with a code, as <c>system|code</c> (or the code alone).</summary>
    private static void AddCodings(FhirNode parent, string jsonName, List<string> into)
    {
        if (parent.Children is not { } children)
        {
            return;
        }

        foreach (var coding in children)
        {
            if (coding.JsonName == jsonName && Child(coding, "code")?.Value is { Length: > 0 } code)
            {
                into.Add(Child(coding, "system")?.Value is { Length: > 0 } system ? system + "|" + code : code);
            }
        }
    }

    /// <summary>The first child with this JSON name (<c>effectivePeriod</c>, not the FHIRPath name <c>effective</c>).</summary>
    private static FhirNode? Child(FhirNode node, string jsonName)
    {
        if (node.Children is { } children)
        {
            foreach (var child in children)
            {
                if (child.JsonName == jsonName)
                {
                    return child;
                }
            }
        }

        return null;
    }
}
