using System.Collections.Frozen;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// Every search parameter FHIR R4 defines (Firely's embedded copy of the spec's definitions) that this store can
/// index, compiled once per resource type. Composite and special parameters are left out, and the
/// CapabilityStatement says so by not listing them.
/// </summary>
public sealed class SearchParameterRegistry
{
    /// <summary>Parameters answered from the resource table itself, not from index rows.</summary>
    public static readonly FrozenSet<string> ColumnParameters = FrozenSet.ToFrozenSet(["_id", "_lastUpdated"]);

    private static readonly string[] CommonRoots = ["Resource", "DomainResource"];

    // The spec defines these for every resource; Firely's embedded list leaves them out, so they are added here.
    private static readonly SearchParamDefinition[] ResourceParameters =
    [
        Common("_tag", SearchParamType.Token, "Resource.meta.tag", "Resource-tag"),
        Common("_profile", SearchParamType.Uri, "Resource.meta.profile", "Resource-profile"),
        Common("_security", SearchParamType.Token, "Resource.meta.security", "Resource-security"),
        Common("_source", SearchParamType.Uri, "Resource.meta.source", "Resource-source"),
    ];

    private readonly FrozenDictionary<string, FrozenDictionary<string, SearchParameter>> byType;

    public SearchParameterRegistry()
    {
        var definitions = ModelInfo.SearchParameters;
        var common = definitions.Where(d => CommonRoots.Contains(d.Resource)).Concat(ResourceParameters).ToList();
        byType = definitions
            .Where(d => d.Resource is not null && ResourceTypes.IsKnown(d.Resource))
            .GroupBy(d => d.Resource!)
            .ToFrozenDictionary(
                g => g.Key,
                g => Build(g.Key, g.Concat(common)).ToFrozenDictionary(p => p.Name, StringComparer.Ordinal),
                StringComparer.Ordinal);
    }

    public static SearchParameterRegistry Shared { get; } = new();

    public IReadOnlyDictionary<string, SearchParameter> For(string resourceType) =>
        byType.TryGetValue(resourceType, out var parameters) ? parameters : FrozenDictionary<string, SearchParameter>.Empty;

    public bool TryGet(string resourceType, string name, out SearchParameter parameter)
    {
        parameter = null!;
        return byType.TryGetValue(resourceType, out var parameters) && parameters.TryGetValue(name, out parameter!);
    }

    private static IEnumerable<SearchParameter> Build(string type, IEnumerable<SearchParamDefinition> definitions)
    {
        foreach (var definition in definitions)
        {
            if (definition.Expression is null || ColumnParameters.Contains(definition.Name!)
                || ToKind(definition.Type) is not { } kind)
            {
                continue;
            }

            var plans = new List<PathPlan>();
            foreach (var branch in PathPlanParser.SplitUnion(definition.Expression))
            {
                var root = branch.TrimStart('(').Split('.', ' ')[0];
                if (root != type && !CommonRoots.Contains(root))
                {
                    continue;
                }

                var rooted = CommonRoots.Contains(root) ? ReplaceRoot(branch, root, type) : branch;
                if (PathPlan.Compile(rooted) is { } plan)
                {
                    plans.Add(plan);
                }
            }

            if (plans.Count > 0)
            {
                yield return new SearchParameter(type, definition.Name!, kind, definition.Url ?? string.Empty,
                    definition.Expression, definition.Target?.Select(t => Hl7.Fhir.Utility.EnumUtility.GetLiteral(t)).ToArray() ?? [], plans);
            }
        }
    }

    private static SearchParamDefinition Common(string name, SearchParamType type, string expression, string id) => new()
    {
        Resource = "Resource",
        Name = name,
        Type = type,
        Expression = expression,
        Url = $"http://hl7.org/fhir/SearchParameter/{id}",
    };

    private static string ReplaceRoot(string branch, string root, string type)
    {
        var index = branch.IndexOf(root, StringComparison.Ordinal);
        return string.Concat(branch.AsSpan(0, index), type, branch.AsSpan(index + root.Length));
    }

    private static SearchParamKind? ToKind(SearchParamType? type) => type switch
    {
        SearchParamType.Token => SearchParamKind.Token,
        SearchParamType.String => SearchParamKind.String,
        SearchParamType.Reference => SearchParamKind.Reference,
        SearchParamType.Date => SearchParamKind.Date,
        SearchParamType.Number => SearchParamKind.Number,
        SearchParamType.Quantity => SearchParamKind.Quantity,
        SearchParamType.Uri => SearchParamKind.Uri,
        _ => null,
    };
}
