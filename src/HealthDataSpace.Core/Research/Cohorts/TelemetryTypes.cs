namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// A telemetry type cohort criteria and dataset exports know: its criterion name, the reading type and value name the
/// device-content templates give it, the LOINC codes and the UCUM unit the FHIR destination templates give it.
/// </summary>
/// <param name="Index">Position in <see cref="TelemetryTypes.All"/> (the day index keeps one store per type).</param>
/// <param name="Name">The name in <c>{"telemetry": {"type": …}}</c>, e.g. <c>heart-rate</c>.</param>
/// <param name="ReadingType">The normalised reading's type (matched case-insensitively), e.g. <c>heartrate</c>.</param>
/// <param name="ValueName">The reading value that holds the number (matched case-insensitively), e.g. <c>hr</c>.</param>
/// <param name="LoincCodes">The Observation (or component) codes of the FHIR template; the first is the type's code.</param>
/// <param name="Unit">UCUM code of the value, as the FHIR template writes it.</param>
internal sealed record TelemetryType(int Index, string Name, string ReadingType, string ValueName, IReadOnlyList<string> LoincCodes, string Unit)
{
    /// <summary>The LOINC code a dataset export labels the type's day aggregates with.</summary>
    public string Loinc => LoincCodes[0];
}

/// <summary>
/// The one table of telemetry types (docs/research.md, "Telemetry criterion"). It follows the shipped templates
/// (Telemetry/Templates/Defaults: devicecontent.json names reading types and values, fhirmapping.json codes and units);
/// <c>TelemetryTypesTests</c> checks it against them. Readings of other types (e.g. <c>stepsdaily</c>, whose values
/// are daily totals and would distort a per-reading mean of <c>steps</c>) are not aggregated.
/// </summary>
internal static class TelemetryTypes
{
    public const string LoincSystem = "http://loinc.org";

    public static readonly IReadOnlyList<TelemetryType> All =
    [
        new(0, "heart-rate", "heartrate", "hr", ["8867-4"], "/min"),
        new(1, "spo2", "spo2", "spo2", ["59408-5", "2708-6"], "%"),
        new(2, "steps", "steps", "steps", ["55423-8"], "{steps}"),
        new(3, "body-temperature", "bodytemperature", "temperature", ["8310-5"], "Cel"),
        new(4, "respiratory-rate", "respiratoryrate", "rr", ["9279-1"], "/min"),
        new(5, "systolic-blood-pressure", "bloodpressure", "systolic", ["8480-6"], "mm[Hg]"),
        new(6, "diastolic-blood-pressure", "bloodpressure", "diastolic", ["8462-4"], "mm[Hg]"),
    ];

    private static readonly Dictionary<string, TelemetryType> ByNames = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, TelemetryType[]> ByReadingTypes = All
        .GroupBy(t => t.ReadingType, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static bool TryGet(string name, out TelemetryType type) => ByNames.TryGetValue(name, out type!);

    /// <summary>The types a reading of <paramref name="readingType"/> feeds (blood pressure: two), or null for none.</summary>
    public static TelemetryType[]? OfReading(string readingType) => ByReadingTypes.GetValueOrDefault(readingType);

    /// <summary>Which of <paramref name="types"/> a reading value named <paramref name="valueName"/> belongs to, if any.</summary>
    public static TelemetryType? OfValue(TelemetryType[] types, string valueName)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types)
        {
            if (string.Equals(type.ValueName, valueName, StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        return null;
    }
}
