using System.Text.RegularExpressions;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// A rule ready to run: the anonymizer's split of the path into a resource type and an expression, the expression
/// compiled to <see cref="PathProgram"/>s (or, when it cannot be, a Firely FHIRPath fallback), and the method's
/// settings parsed once.
/// </summary>
internal sealed partial class CompiledRule
{
    private CompiledRule(PolicyRule rule, string resourceType, string expression)
    {
        Rule = rule;
        ResourceType = resourceType;
        IsResourceTypeRule = rule.Path == resourceType;
        if (!IsResourceTypeRule)
        {
            Programs = PathCompiler.TryCompile(expression);
            Fallback = Programs is null ? new FallbackPath(expression) : null;
        }

        Perturb = rule.Method == AnonymizationMethod.Perturb ? PerturbSettings.From(rule) : null;
        Generalize = rule.Method == AnonymizationMethod.Generalize ? GeneralizeSettings.From(rule) : null;
        Substitute = rule.Method == AnonymizationMethod.Substitute ? new SubstituteSettings(rule) : null;
    }

    public PolicyRule Rule { get; }

    public int Index => Rule.Index;

    public AnonymizationMethod Method => Rule.Method;

    /// <summary>The leading capitalised name of the path ("" when the path starts otherwise).</summary>
    public string ResourceType { get; }

    /// <summary>A path that is only a type name (<c>Patient</c>) selects the resource itself.</summary>
    public bool IsResourceTypeRule { get; }

    public IReadOnlyList<PathProgram>? Programs { get; }

    public FallbackPath? Fallback { get; }

    public PerturbSettings? Perturb { get; }

    public GeneralizeSettings? Generalize { get; }

    public SubstituteSettings? Substitute { get; }

    public static CompiledRule Compile(PolicyRule rule)
    {
        var match = PathSplit().Match(rule.Path);
        var resourceType = match.Groups["resourceType"].Value;
        var expression = match.Groups["expression"].Value;
        return new CompiledRule(rule, resourceType, string.IsNullOrEmpty(expression) ? rule.Path : expression);
    }

    /// <summary>The anonymizer runs a rule on resources of its type, and runs untyped, Resource and DomainResource rules on all.</summary>
    public bool AppliesTo(string resourceType) =>
        ResourceType.Length == 0 || ResourceType == resourceType || ResourceType is "Resource" or "DomainResource";

    public void FindMatches(FhirNode resource, ResourceNodeIndex index, List<FhirNode> matches)
    {
        if (IsResourceTypeRule)
        {
            matches.Add(resource);
            return;
        }

        if (Programs is { } programs)
        {
            // An indexed loop: foreach over the interface would box an enumerator per rule and resource.
            for (var i = 0; i < programs.Count; i++)
            {
                programs[i].Run(resource, index, matches);
            }

            return;
        }

        Fallback!.Run(resource, matches);
    }

    [GeneratedRegex(@"^(?<resourceType>[A-Z][a-zA-Z]*)?(\.)?(?<expression>.*?)$", RegexOptions.Singleline)]
    private static partial Regex PathSplit();
}
