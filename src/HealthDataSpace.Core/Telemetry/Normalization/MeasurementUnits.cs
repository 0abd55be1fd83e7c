namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// Units a structured (gRPC) measurement may carry for the shipped reading types, and how each converts to the unit
/// the templates store (/min, %, steps, mmHg, Cel). An empty unit means the stored unit. Types not listed keep their
/// value as sent, whatever the unit.
/// </summary>
internal static class MeasurementUnits
{
    private static readonly Func<double, double> Same = v => v;

    private static readonly Dictionary<string, Func<double, double>> PerMinute = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = Same, ["/min"] = Same, ["1/min"] = Same, ["bpm"] = Same, ["beats/min"] = Same, ["{beats}/min"] = Same,
        ["count/min"] = Same, ["breaths/min"] = Same, ["{breaths}/min"] = Same,
    };

    private static readonly Dictionary<string, Dictionary<string, Func<double, double>>> ByType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["heartrate"] = PerMinute,
        ["respiratoryrate"] = PerMinute,
        ["spo2"] = new(StringComparer.OrdinalIgnoreCase) { [""] = Same, ["%"] = Same },
        ["steps"] = new(StringComparer.OrdinalIgnoreCase) { [""] = Same, ["steps"] = Same, ["{steps}"] = Same, ["count"] = Same, ["1"] = Same },
        ["bloodpressure"] = new(StringComparer.OrdinalIgnoreCase)
        {
            [""] = Same, ["mmHg"] = Same, ["mm[Hg]"] = Same, ["kPa"] = v => v * 7.500617,
        },
        ["bodytemperature"] = new(StringComparer.OrdinalIgnoreCase)
        {
            [""] = Same, ["C"] = Same, ["Cel"] = Same, ["°C"] = Same, ["degC"] = Same,
            ["F"] = v => (v - 32) * 5 / 9, ["[degF]"] = v => (v - 32) * 5 / 9, ["°F"] = v => (v - 32) * 5 / 9, ["degF"] = v => (v - 32) * 5 / 9,
            ["K"] = v => v - 273.15,
        },
    };

    /// <summary>False when the type has a unit table and the unit is not in it.</summary>
    public static bool TryConvert(string typeName, string? unit, double value, out double converted)
    {
        if (ConverterOf(typeName, unit) is { } convert)
        {
            converted = convert(value);
            return true;
        }

        converted = value;
        return false;
    }

    /// <summary>How a value in <paramref name="unit"/> becomes the stored unit; null when the type has a unit table and
    /// the unit is not in it.</summary>
    public static Func<double, double>? ConverterOf(string typeName, string? unit) =>
        !ByType.TryGetValue(typeName, out var units) ? Same
        : units.TryGetValue(unit?.Trim() ?? string.Empty, out var convert) ? convert
        : null;
}
