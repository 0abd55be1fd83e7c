namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>
/// One patient's telemetry of one type on one UTC day, already aggregated: a row of <c>telemetry_daily</c>.
/// <paramref name="PatientId"/> is the pseudonymised Patient id, as in the other tables.
/// </summary>
internal sealed record TelemetryDayRow(string PatientId, string Type, string Code, DateOnly Day, long Count, double Min, double Max, double Mean, string? Unit);

/// <summary>A table written by <see cref="DatasetTableSet"/>: its name (also its file stem) and how many rows it holds.</summary>
internal sealed record DatasetTableInfo(string Name, long Rows);

/// <summary>
/// A resource (or telemetry row) that cannot become table rows: not JSON, no <c>resourceType</c> or <c>id</c>, no
/// Patient reference, an element of the wrong JSON kind, an unreadable date. Thrown before anything of it is buffered,
/// so the tables stay consistent and the export can report the resource and go on or stop. The message names the
/// resource type and the element path, never a value.
/// </summary>
internal sealed class DatasetRowException : Exception
{
    public DatasetRowException(string resourceType, string problem)
        : base($"{resourceType}: {problem}")
    {
        ResourceType = resourceType;
        Problem = problem;
    }

    public DatasetRowException(string resourceType, string problem, Exception innerException)
        : base($"{resourceType}: {problem}", innerException)
    {
        ResourceType = resourceType;
        Problem = problem;
    }

    public DatasetRowException()
        : this("resource", "cannot be written as a table row")
    {
    }

    public DatasetRowException(string message)
        : this("resource", message)
    {
    }

    /// <summary>The resource type, or <c>resource</c> when the input did not say, or <c>telemetry</c>.</summary>
    public string ResourceType { get; }

    public string Problem { get; }
}
