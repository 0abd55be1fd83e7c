using System.Text.Json;
using Hl7.FhirPath;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// A generalize rule's <c>cases</c> (FHIRPath condition → FHIRPath value, first true case wins) and
/// <c>otherValues</c> (redact, the default, or keep), compiled once.
/// </summary>
internal sealed record GeneralizeSettings(IReadOnlyList<GeneralizeCase> Cases, bool RedactOthers)
{
    public static GeneralizeSettings From(PolicyRule rule)
    {
        if (!rule.TryGetSetting("cases", out var casesElement))
        {
            throw PolicyException.ForRule(rule, "a generalize rule needs cases.");
        }

        if (casesElement.ValueKind != JsonValueKind.Object)
        {
            throw PolicyException.ForRule(rule, "cases must be a JSON object of FHIRPath condition: FHIRPath value.");
        }

        var cases = new List<GeneralizeCase>();
        var number = 0;
        foreach (var property in casesElement.EnumerateObject())
        {
            var valueText = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            try
            {
                cases.Add(new GeneralizeCase(
                    FhirPathSymbols.Compiler.Compile(property.Name),
                    FhirPathSymbols.Compiler.Compile(valueText)));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw PolicyException.ForRule(rule, $"case {number} is not valid FHIRPath ({e.GetType().Name}).");
            }

            number++;
        }

        var redactOthers = rule.SettingText("otherValues")?.ToUpperInvariant() switch
        {
            null or "REDACT" => true,
            "KEEP" => false,
            _ => throw PolicyException.ForRule(rule, "otherValues must be 'redact' or 'keep'."),
        };
        return new GeneralizeSettings(cases, redactOthers);
    }
}

internal sealed record GeneralizeCase(CompiledExpression Condition, CompiledExpression Value);
