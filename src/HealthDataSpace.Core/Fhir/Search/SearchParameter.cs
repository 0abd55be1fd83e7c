namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>A search parameter the store indexes for one resource type, with its compiled extraction plans.</summary>
public sealed class SearchParameter
{
    internal SearchParameter(string resourceType, string name, SearchParamKind kind, string definitionUrl,
        string expression, IReadOnlyList<string> targets, IReadOnlyList<PathPlan> plans)
    {
        ResourceType = resourceType;
        Name = name;
        Kind = kind;
        DefinitionUrl = definitionUrl;
        Expression = expression;
        Targets = targets;
        Plans = plans;
    }

    public string ResourceType { get; }

    public string Name { get; }

    public SearchParamKind Kind { get; }

    /// <summary>The canonical URL of the spec's SearchParameter (for the CapabilityStatement).</summary>
    public string DefinitionUrl { get; }

    public string Expression { get; }

    /// <summary>For references: the resource types the parameter may point at.</summary>
    public IReadOnlyList<string> Targets { get; }

    internal IReadOnlyList<PathPlan> Plans { get; }
}
