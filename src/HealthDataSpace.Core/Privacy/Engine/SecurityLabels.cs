namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Adds the anonymizer's <c>meta.security</c> labels (v3 ObservationValue REDACTED, ABSTRED, CRYTOHASH, and its own
/// ENCRYPT, PERTURBED, SUBSTITUTED, GENERALIZED) for what was done, skipping codes already present.
/// </summary>
internal static class SecurityLabels
{
    private const string ObservationValue = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

    private static readonly (ProcessedOperations Operation, string? System, string Code, string Display)[] Labels =
    [
        (ProcessedOperations.Redact, ObservationValue, "REDACTED", "redacted"),
        (ProcessedOperations.Abstract, ObservationValue, "ABSTRED", "abstracted"),
        (ProcessedOperations.CryptoHash, ObservationValue, "CRYTOHASH", "cryptographic hash function"),
        (ProcessedOperations.Encrypt, null, "ENCRYPT", "exact value is transformed into ciphertext"),
        (ProcessedOperations.Perturb, null, "PERTURBED", "exact value is replaced with another exact value"),
        (ProcessedOperations.Substitute, null, "SUBSTITUTED", "exact value is replaced with a predefined value"),
        (ProcessedOperations.Generalize, null, "GENERALIZED", "exact value is replaced with a general value"),
    ];

    private static readonly FhirTypeInfo MetaType = FhirTypeCatalog.Find("Meta")!;
    private static readonly FhirTypeInfo CodingType = FhirTypeCatalog.Find("Coding")!;

    public static void Add(FhirNode resource, ProcessedOperations operations)
    {
        if (operations == ProcessedOperations.None)
        {
            return;
        }

        var meta = resource.FirstChild("meta");
        if (meta is null)
        {
            meta = new FhirNode("meta", "meta", MetaType, inCollection: false, resource);
            // Meta goes right after id, where FHIR JSON usually has it.
            var position = resource.Children?.FindIndex(c => c.Name == "id") + 1 ?? 0;
            (resource.Children ??= []).Insert(position, meta);
        }

        foreach (var (operation, system, code, display) in Labels)
        {
            if ((operations & operation) != 0 && !HasCode(meta, code))
            {
                meta.Add(Coding(system, code, display));
            }
        }
    }

    /// <summary>The anonymizer's answer for a resource it could not process under processingErrors=skip.</summary>
    public static FhirNode EmptyResource(FhirTypeInfo type)
    {
        var resource = new FhirNode(type.Name, type.Name, type, inCollection: false, parent: null);
        Add(resource, ProcessedOperations.Redact);
        return resource;
    }

    private static bool HasCode(FhirNode meta, string code)
    {
        if (meta.Children is not { } children)
        {
            return false;
        }

        foreach (var child in children)
        {
            if (child.Name == "security" && string.Equals(child.FirstChild("code")?.Value, code, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static FhirNode Coding(string? system, string code, string display)
    {
        var coding = new FhirNode("security", "security", CodingType, inCollection: true, parent: null);
        if (system is not null)
        {
            coding.Add(Primitive("system", system));
        }

        coding.Add(Primitive("code", code));
        coding.Add(Primitive("display", display));
        return coding;
    }

    private static FhirNode Primitive(string name, string value)
    {
        CodingType.TryGetElement(name, out var element);
        return new FhirNode(name, name, element.Type!, inCollection: false, parent: null) { Value = value };
    }
}
