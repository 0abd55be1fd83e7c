using System.Globalization;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>Reads and checks one <c>fhirPathRules</c> entry; every error names the rule.</summary>
internal static class PolicyRuleReader
{
    public static PolicyRule Read(int index, JsonElement element)
    {
        var where = string.Create(CultureInfo.InvariantCulture, $"fhirPathRules[{index}]");
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException($"{where}: a rule must be a JSON object with path and method.");
        }

        var path = AnonymizationPolicy.TryGetProperty(element, "path", out var pathElement) && pathElement.ValueKind == JsonValueKind.String
            ? pathElement.GetString()!
            : throw new PolicyException($"{where}: the rule has no path.");
        var methodText = AnonymizationPolicy.TryGetProperty(element, "method", out var methodElement) && methodElement.ValueKind == JsonValueKind.String
            ? methodElement.GetString()!
            : throw new PolicyException($"{where} (path '{path}'): the rule has no method.");
        if (!Enum.TryParse<AnonymizationMethod>(methodText, ignoreCase: true, out var method) || int.TryParse(methodText, out _))
        {
            throw new PolicyException($"{where} (path '{path}'): unknown method '{methodText}'. Known methods: {string.Join(", ", Enum.GetNames<AnonymizationMethod>())}.");
        }

        var rule = new PolicyRule(index, path, method, element.Clone());
        CheckPath(rule);
        switch (method)
        {
            case AnonymizationMethod.Substitute:
                if (!rule.TryGetSetting("replaceWith", out _))
                {
                    throw PolicyException.ForRule(rule, "a substitute rule needs replaceWith.");
                }

                break;
            case AnonymizationMethod.Perturb:
                PerturbSettings.From(rule);
                break;
            case AnonymizationMethod.Generalize:
                GeneralizeSettings.From(rule);
                break;
        }

        return rule;
    }

    private static void CheckPath(PolicyRule rule)
    {
        if (string.IsNullOrWhiteSpace(rule.Path))
        {
            throw PolicyException.ForRule(rule, "the path is empty.");
        }

        try
        {
            FhirPathSymbols.Compiler.Compile(rule.Path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw PolicyException.ForRule(rule, $"the path is not valid FHIRPath ({e.GetType().Name}: {e.Message}).");
        }
    }
}
