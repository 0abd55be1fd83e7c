using System.Globalization;

namespace HealthDataSpace.Core.Privacy;

/// <summary>A perturb rule's settings: <c>span</c> (required, ≥ 0), <c>rangeType</c> fixed|proportional, <c>roundTo</c> 0–28.</summary>
internal sealed record PerturbSettings(double Span, bool Proportional, int RoundTo)
{
    public static PerturbSettings From(PolicyRule rule)
    {
        var spanText = rule.SettingText("span") ?? throw PolicyException.ForRule(rule, "a perturb rule needs span.");
        if (!double.TryParse(spanText, NumberStyles.Float, CultureInfo.InvariantCulture, out var span) || span < 0 || !double.IsFinite(span))
        {
            throw PolicyException.ForRule(rule, "span must be a number of at least 0.");
        }

        var roundTo = 2;
        if (rule.SettingText("roundTo") is { } roundText
            && (!int.TryParse(roundText, NumberStyles.Integer, CultureInfo.InvariantCulture, out roundTo) || roundTo is < 0 or > 28))
        {
            throw PolicyException.ForRule(rule, "roundTo must be a whole number from 0 to 28.");
        }

        var proportional = rule.SettingText("rangeType")?.ToUpperInvariant() switch
        {
            null or "FIXED" => false,
            "PROPORTIONAL" => true,
            _ => throw PolicyException.ForRule(rule, "rangeType must be 'fixed' or 'proportional'."),
        };
        return new PerturbSettings(span, proportional, roundTo);
    }
}
