namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>Where an export job is: queued or running until it ends completed, failed or cancelled.</summary>
public static class ExportStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Completed or Failed or Cancelled;
}

/// <summary>
/// A dataset export requested against a permit (<c>POST /research/permits/{id}/$export</c>) at
/// <see cref="RequestUrl"/> by <see cref="RequestedBy"/> through <see cref="ClientId"/>. <see cref="Result"/> is the
/// Bulk Data style manifest (JSON) once completed; <see cref="Error"/> says why a failed job failed, in words without
/// identifiers.
/// </summary>
public sealed record ExportJob(
    string Id,
    string PermitId,
    string RequestedBy,
    string ClientId,
    string RequestUrl,
    DateTimeOffset Created,
    string State,
    string Progress,
    DateTimeOffset? Finished = null,
    string? DatasetId = null,
    string? Result = null,
    string? Error = null);

/// <summary>
/// A delivered dataset: where it lies (container and folder of the recipient's storage), for which permit, and its
/// HealthDCAT-AP catalogue entry (JSON-LD) as published.
/// </summary>
public sealed record DatasetRecord(
    string Id,
    string PermitId,
    string JobId,
    string Container,
    string Folder,
    DateTimeOffset Created,
    string CatalogEntry);

/// <summary>One delivered patient of a dataset: the identified reference (never leaves the gateway) and the pseudonym the
/// recipient knows it by.</summary>
public sealed record DatasetMember(string DatasetId, string Patient, string Pseudonym);
