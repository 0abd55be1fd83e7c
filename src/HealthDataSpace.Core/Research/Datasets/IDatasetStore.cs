namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// Export jobs and the registry of delivered datasets, kept beside the identified store (it maps pseudonyms back to
/// patients, so it never leaves the gateway). SQLite or PostgreSQL; one contract test suite runs against both.
/// </summary>
public interface IDatasetStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task CreateJobAsync(ExportJob job, CancellationToken cancellationToken);

    Task<ExportJob?> GetJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records progress (and a heartbeat) of a running job; false when the job is no longer running (cancelled
    /// meanwhile, by any replica), which tells the runner to stop.</summary>
    Task<bool> UpdateProgressAsync(string id, string progress, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Takes the oldest queued job for this runner (queued → running, heartbeat now), or null when none is
    /// queued. Safe when several replicas claim at once: each job is claimed once.</summary>
    Task<ExportJob?> ClaimNextJobAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Fails running jobs whose heartbeat is older than <paramref name="staleBefore"/>: their replica stopped.</summary>
    Task<int> FailStaleJobsAsync(DateTimeOffset staleBefore, DateTimeOffset now, string problem, CancellationToken cancellationToken);

    /// <summary>Moves a job from queued or running to <paramref name="state"/>; false when it had finished already.</summary>
    Task<bool> FinishJobAsync(string id, string state, DateTimeOffset at, string? result, string? problem, CancellationToken cancellationToken);

    /// <summary>
    /// Completes a running job with its dataset, in one transaction: the job moves to completed with the manifest and
    /// is linked to the dataset, and the dataset and its members are registered. False (and nothing written) when the
    /// job is no longer running — cancelled meanwhile, by any replica — so a cancel and a completion cannot both win.
    /// </summary>
    Task<bool> CompleteJobAsync(DatasetRecord dataset, IEnumerable<DatasetMember> members, string manifest, DateTimeOffset at,
        CancellationToken cancellationToken);

    Task<IReadOnlyList<DatasetRecord>> ListDatasetsAsync(CancellationToken cancellationToken);

    Task<DatasetRecord?> GetDatasetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The datasets a patient (<c>Patient/{id}</c>) was delivered in and not yet withdrawn from.</summary>
    Task<IReadOnlyList<DatasetMember>> ActiveMembershipsAsync(string patient, CancellationToken cancellationToken);

    /// <summary>The members of a dataset not yet withdrawn.</summary>
    Task<IReadOnlyList<DatasetMember>> ActiveMembersAsync(string datasetId, CancellationToken cancellationToken);

    /// <summary>Marks a member withdrawn; false when it was already.</summary>
    Task<bool> MarkWithdrawnAsync(string datasetId, string patient, DateTimeOffset at, CancellationToken cancellationToken);

    Task<int> CountWithdrawnAsync(string datasetId, CancellationToken cancellationToken);

    /// <summary>A consumer's saved position in a change feed (0 when it has none).</summary>
    Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken);

    Task SetCheckpointAsync(string consumer, long position, CancellationToken cancellationToken);
}
