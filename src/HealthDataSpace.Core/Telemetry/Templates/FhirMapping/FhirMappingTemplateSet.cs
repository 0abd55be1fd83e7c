namespace HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

/// <summary>A loaded CollectionFhir: the CodeValueFhir template of each reading type (type names case-insensitive).</summary>
internal sealed class FhirMappingTemplateSet
{
    private readonly Dictionary<string, CodeValueFhirTemplate> _byType;

    public FhirMappingTemplateSet(IReadOnlyList<CodeValueFhirTemplate> templates)
    {
        Templates = templates;
        _byType = templates.ToDictionary(t => t.TypeName, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<CodeValueFhirTemplate> Templates { get; }

    /// <summary>
    /// Parses a fhirmapping.json. Throws <see cref="TemplateLoadException"/> listing every problem unless
    /// <paramref name="allowErrors"/>, in which case the valid templates are kept and the problems returned.
    /// </summary>
    public static FhirMappingTemplateSet Parse(string json, out IReadOnlyList<string> errors, bool allowErrors = false, string source = "templates")
    {
        (var templates, errors) = FhirTemplateParser.Parse(json);
        return errors.Count > 0 && !allowErrors
            ? throw new TemplateLoadException(source, errors)
            : new FhirMappingTemplateSet(templates);
    }

    public bool TryGet(string typeName, out CodeValueFhirTemplate template) => _byType.TryGetValue(typeName, out template!);
}
