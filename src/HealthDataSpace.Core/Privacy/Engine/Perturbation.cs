using System.Globalization;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The perturb method: uniform noise in [-span/2, span/2] (times the value when proportional), rounded to roundTo
/// places (0 for integer types); positiveInt stays ≥ 1 and unsignedInt ≥ 0. Applies to decimal and integer
/// primitives and to the value of Quantity-like types.
/// </summary>
internal static class Perturbation
{
    private static readonly HashSet<string> QuantityTypes = ["Age", "Count", "Duration", "Distance", "Money", "MoneyQuantity", "Quantity", "SimpleQuantity"];

    public static ProcessedOperations Apply(FhirNode node, PerturbSettings settings, int ruleIndex)
    {
        var valueNode = node.InstanceType is "decimal" or "integer" or "positiveInt" or "unsignedInt"
            ? node
            : QuantityTypes.Contains(node.InstanceType) ? node.FirstChild("value") : null;
        if (valueNode?.Value is null || valueNode.Visited
            || !decimal.TryParse(valueNode.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var original))
        {
            return ProcessedOperations.None;
        }

        var isInteger = valueNode.InstanceType is "integer" or "positiveInt" or "unsignedInt";
        var span = settings.Proportional ? (double)original * settings.Span : settings.Span;
        var noise = (decimal)((Random.Shared.NextDouble() - 0.5) * span);
        var perturbed = decimal.Round(original + noise, isInteger ? 0 : settings.RoundTo, MidpointRounding.ToEven);
        if (valueNode.InstanceType == "positiveInt" && perturbed <= 0)
        {
            perturbed = 1;
        }

        if (valueNode.InstanceType == "unsignedInt" && perturbed < 0)
        {
            perturbed = 0;
        }

        valueNode.Value = perturbed.ToString(CultureInfo.InvariantCulture);
        MarkDescendants(node, ruleIndex);
        return ProcessedOperations.Perturb;
    }

    private static void MarkDescendants(FhirNode node, int ruleIndex)
    {
        foreach (var child in node.Children ?? [])
        {
            if (!child.Visited)
            {
                child.VisitedBy = ruleIndex;
            }

            MarkDescendants(child, ruleIndex);
        }
    }
}
