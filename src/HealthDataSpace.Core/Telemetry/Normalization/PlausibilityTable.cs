using System.Globalization;

namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// The physiologically possible range of one value of a reading type. <see cref="ValueName"/> null applies the range
/// to every value of the type.
/// </summary>
internal sealed record PlausibilityRule(string TypeName, string? ValueName, double Minimum, double Maximum, string Unit);

/// <summary>
/// Which readings are impossible rather than merely unusual: a value outside its range (SpO2 150 %, a heart rate of
/// 900/min) or not a number at all for a type that has a range. Type names match case-insensitively, so MedTech's
/// <c>heartRate</c> and the shipped <c>heartrate</c> share a rule. Types without a rule are not checked.
/// </summary>
internal sealed class PlausibilityTable
{
    private readonly Dictionary<string, PlausibilityRule[]> _byType;

    public PlausibilityTable(IEnumerable<PlausibilityRule> rules)
    {
        Rules = [.. rules];
        _byType = Rules.GroupBy(r => r.TypeName, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<PlausibilityRule> Rules { get; }

    /// <summary>
    /// The shipped table (docs/telemetry-templates.md). Ranges are what a measuring device can report for a living
    /// person, deliberately wide: they catch unit mix-ups and corrupt values, not clinical abnormality.
    /// </summary>
    public static PlausibilityTable Default { get; } = new(
    [
        .. Aliases(["heartrate", "pulse", "restingheartrate"], null, 20, 300, "/min"),
        .. Aliases(["spo2", "oxygensaturation"], null, 0, 100, "%"),
        .. Aliases(["steps", "stepcount", "stepsdaily"], null, 0, 200_000, "steps"),
        new PlausibilityRule("bloodpressure", "systolic", 40, 300, "mmHg"),
        new PlausibilityRule("bloodpressure", "diastolic", 20, 200, "mmHg"),
        .. Aliases(["bodytemperature", "temperature"], null, 25, 45, "Cel"),
        .. Aliases(["respiratoryrate"], null, 4, 80, "/min"),
    ]);

    /// <summary>No checks at all (for replaying data already validated elsewhere).</summary>
    public static PlausibilityTable None { get; } = new([]);

    /// <summary>Why the reading is impossible, or null. The reason names the type and value, never the number.</summary>
    public string? Check(NormalizedReading reading)
    {
        if (!_byType.TryGetValue(reading.Type, out var rules))
        {
            return null;
        }

        double? systolic = null, diastolic = null;
        foreach (var value in reading.Values)
        {
            foreach (var rule in rules)
            {
                if (rule.ValueName is not null && !string.Equals(rule.ValueName, value.Name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    return $"{reading.Type} value '{value.Name}' is not a number";
                }

                if (OutOfRange(reading.Type, value.Name, number, rule) is { } outside)
                {
                    return outside;
                }

                if (string.Equals(value.Name, "systolic", StringComparison.OrdinalIgnoreCase))
                {
                    systolic = number;
                }
                else if (string.Equals(value.Name, "diastolic", StringComparison.OrdinalIgnoreCase))
                {
                    diastolic = number;
                }
            }
        }

        return systolic <= diastolic ? $"{reading.Type}: systolic is not above diastolic" : null;
    }

    /// <summary>The rules that apply to one value of a type (those naming no value, and those naming this one).</summary>
    public PlausibilityRule[] RulesFor(string type, string valueName) =>
        _byType.TryGetValue(type, out var rules)
            ? [.. rules.Where(r => r.ValueName is null || string.Equals(r.ValueName, valueName, StringComparison.OrdinalIgnoreCase))]
            : [];

    /// <summary>
    /// <see cref="Check(NormalizedReading)"/> for a reading of one value that is still a finite number (structured
    /// measurements are checked before they become text), with the value's rules already found (<see cref="RulesFor"/>).
    /// </summary>
    public static string? Check(PlausibilityRule[] rules, string type, string valueName, double value)
    {
        foreach (var rule in rules)
        {
            if (OutOfRange(type, valueName, value, rule) is { } outside)
            {
                return outside;
            }
        }

        return null;
    }

    private static string? OutOfRange(string type, string valueName, double number, PlausibilityRule rule) =>
        number < rule.Minimum || number > rule.Maximum
            ? string.Create(CultureInfo.InvariantCulture, $"{type} value '{valueName}' is outside the possible range {rule.Minimum}–{rule.Maximum} {rule.Unit}")
            : null;

    private static IEnumerable<PlausibilityRule> Aliases(string[] types, string? valueName, double min, double max, string unit) =>
        types.Select(t => new PlausibilityRule(t, valueName, min, max, unit));
}
