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

    /// <summary>Records progress of a running job; false when the job is no longer running (cancelled meanwhile), which
    /// tells the runner to stop.</summary>
    Task<bool> UpdateProgressAsync(string id, string progress, CancellationToken cancellationToken);

    /// <summary>Moves a job from queued or running to <paramref name="state"/>; false when it had finished already.</summary>
    Task<bool> FinishJobAsync(string id, string state, DateTimeOffset at, string? result, string? problem, CancellationToken cancellationToken);

    /// <summary>Moves a queued job to running; false when it is not queued (cancelled before it started).</summary>
    Task<bool> StartJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>Marks jobs still queued or running as failed: called at start-up, since jobs run inside one gateway process.</summary>
    Task<int> FailUnfinishedJobsAsync(DateTimeOffset at, string problem, CancellationToken cancellationToken);

    /// <summary>Registers a dataset and its members in one transaction, and links the job to it.</summary>
    Task SaveDatasetAsync(DatasetRecord dataset, IEnumerable<DatasetMember> members, CancellationToken cancellationToken);

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
