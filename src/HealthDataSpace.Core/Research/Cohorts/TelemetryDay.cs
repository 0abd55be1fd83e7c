namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// One patient's readings of one telemetry type on one UTC day, summarised: what dataset exports give researchers
/// instead of the raw readings (<see cref="ResearchIndex.DaysOf"/>).
/// </summary>
/// <param name="Type">The telemetry type's criterion name (<see cref="TelemetryTypes"/>), e.g. <c>heart-rate</c>.</param>
/// <param name="Loinc">Its LOINC code (system <see cref="TelemetryTypes.LoincSystem"/>), e.g. <c>8867-4</c>.</param>
/// <param name="Day">The UTC day the readings' occurrence times fall on.</param>
/// <param name="Count">How many readings.</param>
/// <param name="Mean">Their arithmetic mean.</param>
/// <param name="Unit">UCUM code of the values, e.g. <c>/min</c>.</param>
internal sealed record TelemetryDay(string Type, string Loinc, DateOnly Day, int Count, double Min, double Max, double Mean, string Unit);

/// <summary>
/// Readings to add to one (patient, type, day) aggregate: their count, sum, minimum and maximum. The feeder folds a page
/// of readings into these before taking the index's write lock once.
/// </summary>
/// <param name="Day">The UTC day as <see cref="DateOnly.DayNumber"/>.</param>
internal readonly record struct TelemetryDayDelta(string PatientId, TelemetryType Type, int Day, int Count, double Sum, double Min, double Max)
{
    /// <summary>One reading's value.</summary>
    public static TelemetryDayDelta Of(string patientId, TelemetryType type, DateTimeOffset time, double value) =>
        new(patientId, type, DayNumber(time), 1, value, value, value);

    public static int DayNumber(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime).DayNumber;

    public TelemetryDayDelta Plus(TelemetryDayDelta other) =>
        this with { Count = Count + other.Count, Sum = Sum + other.Sum, Min = Math.Min(Min, other.Min), Max = Math.Max(Max, other.Max) };
}
