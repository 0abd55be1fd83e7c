using Hl7.Fhir.ElementModel;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The Firely FHIRPath compiler with the anonymizer's two extension functions, <c>nodesByType('T')</c> and
/// <c>nodesByName('n')</c>: the node itself and its descendants of that type or name, not entering nested resources
/// (bundle entries, contained resources).
/// </summary>
internal static class FhirPathSymbols
{
    private static readonly Lazy<FhirPathCompiler> LazyCompiler = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static FhirPathCompiler Compiler => LazyCompiler.Value;

    private static FhirPathCompiler Create()
    {
        var symbols = new SymbolTable(FhirPathCompiler.DefaultSymbolTable);
        symbols.AddFhirExtensions();
        symbols.Add("nodesByType", (IEnumerable<PocoNode> focus, string typeName) =>
            SelfAndDescendants(focus).Where(n => string.Equals(((ITypedElement)n).InstanceType, typeName, StringComparison.Ordinal)), doNullProp: true);
        symbols.Add("nodesByName", (IEnumerable<PocoNode> focus, string name) =>
            SelfAndDescendants(focus).Where(n => string.Equals(n.Name, name, StringComparison.Ordinal)), doNullProp: true);
        return new FhirPathCompiler(symbols);
    }

    private static IEnumerable<PocoNode> SelfAndDescendants(IEnumerable<PocoNode> focus)
    {
        foreach (var node in focus)
        {
            yield return node;
            foreach (var descendant in DescendantsWithoutSubResources(node))
            {
                yield return descendant;
            }
        }
    }

    private static IEnumerable<PocoNode> DescendantsWithoutSubResources(PocoNode node)
    {
        foreach (var child in ((ITypedElement)node).Children().OfType<PocoNode>())
        {
            if (child.Poco is Resource)
            {
                continue;
            }

            yield return child;
            foreach (var descendant in DescendantsWithoutSubResources(child))
            {
                yield return descendant;
            }
        }
    }
}
