using System.Collections.Concurrent;
using System.Collections.Frozen;
using Hl7.Fhir.Introspection;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Privacy;

/// <summary>How a primitive's value is written in FHIR JSON.</summary>
internal enum JsonPrimitiveKind
{
    String,
    Number,
    Boolean,
}

/// <summary>
/// FHIR R4 structure for the element tree, taken once from Firely's model metadata: for every type, its elements by
/// JSON property name (choice elements under each <c>valueQuantity</c>-style name), their types and cardinality.
/// </summary>
internal static class FhirTypeCatalog
{
    private static readonly ModelInspector Inspector = ModelInfo.ModelInspector;
    private static readonly ConcurrentDictionary<Type, FhirTypeInfo> ByNativeType = new();
    private static readonly ConcurrentDictionary<string, FhirTypeInfo?> ByName = new(StringComparer.Ordinal);

    public static FhirTypeInfo? Find(string fhirTypeName) => ByName.GetOrAdd(fhirTypeName, static name =>
        Inspector.FindClassMapping(name) is { } mapping ? ForMapping(mapping) : null);

    public static FhirTypeInfo? FindResource(string resourceType) => Find(resourceType) is { IsResource: true } info ? info : null;

    public static FhirTypeInfo ForMapping(ClassMapping mapping) => ByNativeType.GetOrAdd(mapping.NativeType, static (_, m) => new FhirTypeInfo(m), mapping);

    internal static FhirTypeInfo ForNative(Type type) =>
        ForMapping(Inspector.FindOrImportClassMapping(type) ?? throw new InvalidOperationException($"No FHIR mapping for {type.Name}."));
}

/// <summary>One FHIR type: its name as the anonymizer's <c>nodesByType</c> sees it, and its elements.</summary>
internal sealed class FhirTypeInfo
{
    private readonly ClassMapping _mapping;
    private ElementTable? _table;

    public FhirTypeInfo(ClassMapping mapping)
    {
        _mapping = mapping;
        IsResource = mapping.IsResource;
        IsPrimitive = mapping.IsFhirPrimitive;
        Name = mapping.IsBackboneType
            ? (typeof(BackboneElement).IsAssignableFrom(mapping.NativeType) ? "BackboneElement" : "Element")
            : mapping.Name;
        JsonKind = Name switch
        {
            "boolean" => JsonPrimitiveKind.Boolean,
            "integer" or "decimal" or "positiveInt" or "unsignedInt" => JsonPrimitiveKind.Number,
            _ => JsonPrimitiveKind.String,
        };
    }

    public string Name { get; }

    public bool IsResource { get; }

    public bool IsPrimitive { get; }

    public JsonPrimitiveKind JsonKind { get; }

    /// <summary>Capitalised type name used as a choice element's JSON suffix (<c>valueDateTime</c>).</summary>
    public string ChoiceSuffix => field ??= string.Concat(char.ToUpperInvariant(_mapping.Name[0]).ToString(), _mapping.Name.AsSpan(1));

    public bool TryGetElement(ReadOnlySpan<char> jsonName, out FhirElementInfo element) =>
        (_table ??= BuildTable()).Lookup.TryGetValue(jsonName, out element!);

    public bool TryGetElement(string jsonName, out FhirElementInfo element) =>
        (_table ??= BuildTable()).Elements.TryGetValue(jsonName, out element!);

    private ElementTable BuildTable()
    {
        var elements = new Dictionary<string, FhirElementInfo>(StringComparer.Ordinal);
        foreach (var property in _mapping.PropertyMappings)
        {
            if (property.RepresentsValueElement)
            {
                continue;
            }

            if (property.Choice == ChoiceType.DatatypeChoice)
            {
                foreach (var fhirType in property.FhirType)
                {
                    var type = FhirTypeCatalog.ForNative(fhirType);
                    elements[property.Name + type.ChoiceSuffix] = new FhirElementInfo(property.Name, property.IsCollection, type, isChoice: true);
                }
            }
            else if (property.Choice == ChoiceType.ResourceChoice)
            {
                elements[property.Name] = new FhirElementInfo(property.Name, property.IsCollection, type: null, isChoice: false);
            }
            else
            {
                elements[property.Name] = new FhirElementInfo(property.Name, property.IsCollection,
                    FhirTypeCatalog.ForNative(property.ImplementingType.IsGenericType ? property.FhirType[0] : property.ImplementingType), isChoice: false);
            }
        }

        var frozen = elements.ToFrozenDictionary(StringComparer.Ordinal);
        return new ElementTable(frozen, frozen.GetAlternateLookup<ReadOnlySpan<char>>());
    }

    private sealed record ElementTable(
        FrozenDictionary<string, FhirElementInfo> Elements,
        FrozenDictionary<string, FhirElementInfo>.AlternateLookup<ReadOnlySpan<char>> Lookup);
}

/// <summary>An element of a type. <see cref="Type"/> is null for elements holding any resource (contained, entry.resource).</summary>
internal sealed class FhirElementInfo(string name, bool isCollection, FhirTypeInfo? type, bool isChoice)
{
    public string Name { get; } = name;

    public bool IsCollection { get; } = isCollection;

    public FhirTypeInfo? Type { get; } = type;

    public bool IsChoice { get; } = isChoice;

    public bool HoldsResource => Type is null;

    /// <summary>The JSON property name for this element with this type.</summary>
    public string JsonName => IsChoice ? field ??= Name + Type!.ChoiceSuffix : Name;
}
