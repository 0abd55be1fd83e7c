namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>One patient's telemetry of one type on one UTC day, aggregated (identified: the export pseudonymises it).</summary>
internal sealed record TelemetryDay(string Type, string Code, DateOnly Day, long Count, double Min, double Max, double Mean, string? Unit);

/// <summary>Where an export reads daily telemetry aggregates from (the research zone's telemetry day index).</summary>
internal interface ITelemetryDaySource
{
    /// <summary>The patient's day aggregates (patient id without <c>Patient/</c>), any order.</summary>
    IReadOnlyList<TelemetryDay> DaysOf(string patientId);
}
