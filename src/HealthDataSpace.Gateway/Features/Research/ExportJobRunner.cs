using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Gateway.Features.Privacy;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Runs dataset exports in the background, one at a time per replica (an export uses every core; two at once would only
/// take longer each). Jobs live in the database: every replica claims queued jobs from it (the one that accepted the
/// request is woken at once, the others look every <see cref="PollInterval"/>), a running job beats a heartbeat, and a
/// job whose replica stopped (no heartbeat for <see cref="StaleAfter"/>) is marked failed by whichever replica looks
/// next. A cancel (DELETE, on any replica) stops the run at its next progress report and removes what it had written.
/// </summary>
internal sealed partial class ExportJobRunner(
    IDatasetStore jobs,
    IPermitStore permits,
    DatasetExporter exporter,
    IBlobStorage blobs,
    WithdrawalNotifier withdrawals,
    ConsentIndexSync consent,
    PseudonymDomains domains,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ExportJobRunner> logger) : BackgroundService
{
    public const string InterruptedError = "The export was interrupted: the gateway replica running it stopped. Start a new export.";
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    public async Task EnqueueAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await jobs.CreateJobAsync(job, cancellationToken);
        _wake.Release();
    }

    /// <summary>Cancels a queued or running job; false when it had finished already.</summary>
    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        var cancelled = await jobs.FinishJobAsync(jobId, ExportStates.Cancelled, time.GetUtcNow(), null, null, cancellationToken);
        if (_running.TryGetValue(jobId, out var run))
        {
            await run.CancelAsync();
        }

        return cancelled;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            ExportJob? job = null;
            try
            {
                var now = time.GetUtcNow();
                var stale = await jobs.FailStaleJobsAsync(now - StaleAfter, now, InterruptedError, stoppingToken);
                if (stale > 0)
                {
                    LogInterrupted(logger, stale);
                }

                job = await jobs.ClaimNextJobAsync(now, stoppingToken);
                if (job is null)
                {
                    await _wake.WaitAsync(PollInterval, stoppingToken);
                    continue;
                }

                using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                _running[job.Id] = run;
                await RunAsync(job, run.Token, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // Never let one job (or a store hiccup) end the runner; the job says it failed, the log which exception type.
                LogFailed(logger, error.GetType().Name);
                await RecordFailureAsync(job, error, stoppingToken);
            }
            finally
            {
                if (job is not null)
                {
                    _running.TryRemove(job.Id, out _);
                    ReturnExportMemory();
                }
            }
        }
    }

    /// <summary>
    /// An export leaves hundreds of MB of garbage in the oldest generation and the large-object heap (a Parquet row
    /// group's values live long enough to be promoted; its column buffers are large objects). The server GC, tuned for
    /// ingest throughput, would keep that committed and grow it export after export; one blocking, compacting
    /// collection per export (a short pause of every request, once, after seconds or minutes of export work) gives it
    /// back, so the gateway's memory stays level (docs/benchmarks.md, dataset export).
    /// </summary>
    private static void ReturnExportMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Marks the job failed and audits it; when the store itself is failing, waits a poll interval instead.</summary>
    private async Task RecordFailureAsync(ExportJob? job, Exception error, CancellationToken stoppingToken)
    {
        try
        {
            if (job is not null)
            {
                await jobs.FinishJobAsync(job.Id, ExportStates.Failed, time.GetUtcNow(), null,
                    "The export failed inside the gateway; the data steward can find the cause in the gateway log.", CancellationToken.None);
                await AuditAsync(job, null, AuditEvent.AuditEventOutcome.N8, null, "failed: " + error.GetType().Name);
                return;
            }
        }
        catch (Exception secondary) when (secondary is not OperationCanceledException)
        {
            LogFailed(logger, secondary.GetType().Name);
        }

        // The store is failing (or a job could not be recorded): do not spin; a stale job is failed later by any replica.
        await Task.Delay(PollInterval, stoppingToken);
    }

    private async Task RunAsync(ExportJob job, CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        var stored = await permits.GetAsync(job.PermitId, cancellationToken);
        DataPermit permit;
        try
        {
            // The permit may have been revoked or have expired since the request was accepted.
            permit = PermitGuard.Authorize(stored, job.RequestedBy, PermitOutputs.Dataset, time.GetUtcNow());
        }
        catch (FhirException refused)
        {
            await jobs.FinishJobAsync(job.Id, ExportStates.Failed, time.GetUtcNow(), null, refused.Message, cancellationToken);
            await AuditAsync(job, stored?.Purpose, AuditEvent.AuditEventOutcome.N4, null, "refused: " + refused.Message);
            return;
        }

        await consent.EnsureCurrentAsync(cancellationToken);
        var datasetId = Guid.CreateVersion7().ToString();
        var engine = AnonymizationEngine.Create(AnonymizationPolicy.DefaultResearch, domains.ForProject(permit.Project), time);
        var request = new ExportRequest(permit, job.Id, datasetId, job.RequestUrl, time.GetUtcNow());
        var latest = job.Progress;
        using var heartbeat = new PeriodicTimer(HeartbeatInterval);
        var beating = BeatAsync(job.Id, heartbeat, () => latest, cancellationToken);
        ExportOutcome outcome;
        try
        {
            outcome = await exporter.RunAsync(request, engine, async (progress, ct) =>
            {
                latest = progress;
                if (!await jobs.UpdateProgressAsync(job.Id, progress, time.GetUtcNow(), ct))
                {
                    throw new OperationCanceledException("The export was cancelled.");
                }
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // Cancelled by DELETE (the job says so already), or an operation timed out inside: then the job fails.
            var timedOut = await jobs.FinishJobAsync(job.Id, ExportStates.Failed, time.GetUtcNow(), null,
                "The export was interrupted (a storage operation timed out); start a new export.", CancellationToken.None);
            await AuditAsync(job, permit.Purpose, AuditEvent.AuditEventOutcome.N4, null, timedOut ? "interrupted" : "cancelled");
            return;
        }
        finally
        {
            heartbeat.Dispose();
            await beating;
        }

        bool completed;
        try
        {
            var manifest = JsonSerializer.Serialize(outcome.Manifest, DatasetManifest.Json);
            completed = await jobs.CompleteJobAsync(outcome.Dataset, outcome.Members, manifest, time.GetUtcNow(), cancellationToken);
        }
        catch
        {
            // An unregistered dataset would never receive withdrawal notices: it must not stay in the partner's container.
            await DeleteDatasetFilesAsync(outcome);
            throw;
        }

        if (!completed)
        {
            // Cancelled after the files were written: the researcher was told so, so the partner must not keep them.
            await DeleteDatasetFilesAsync(outcome);
            await AuditAsync(job, permit.Purpose, AuditEvent.AuditEventOutcome.N4, null, "cancelled");
            return;
        }

        await AuditAsync(job, permit.Purpose, AuditEvent.AuditEventOutcome.N0, datasetId, null);
        // A patient who withdrew while the export ran was selected under the old consent: tell the partner now.
        await consent.EnsureCurrentAsync(cancellationToken);
        await withdrawals.CheckDatasetAsync(datasetId, cancellationToken);
        var resources = outcome.Manifest.Output.Sum(o => o.Count);
        LogCompleted(logger, outcome.Members.Count, resources);
    }

    private async Task DeleteDatasetFilesAsync(ExportOutcome outcome) =>
        await blobs.DeletePrefixAsync(outcome.Dataset.Container, outcome.Dataset.Folder + "/", CancellationToken.None);

    /// <summary>Keeps the heartbeat going during phases that report no progress for a while (k-anonymity, table footers).</summary>
    private async Task BeatAsync(string jobId, PeriodicTimer timer, Func<string> progress, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await jobs.UpdateProgressAsync(jobId, progress(), time.GetUtcNow(), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended or was cancelled; the timer stops with it.
        }
    }

    private Task<string> AuditAsync(ExportJob job, string? purpose, AuditEvent.AuditEventOutcome outcome, string? datasetId, string? text)
    {
        List<AuditEntity> entities = [AuditEntity.Object(PermitEndpoints.PermitSystem, job.PermitId), AuditEntity.Object(ExportEndpoints.JobSystem, job.Id)];
        if (datasetId is not null)
        {
            entities.Add(AuditEntity.Object(ExportEndpoints.DatasetSystem, datasetId));
        }

        return audit.RecordAsync(new AuditRecord(AuditCodes.Export, [AuditCodes.Operation("dataset-export")], AuditEvent.AuditEventAction.E,
            new AuditActor(job.RequestedBy, job.ClientId), purpose, outcome, entities, text), CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} export job(s) whose replica stopped were marked failed.")]
    private static partial void LogInterrupted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "An export job failed ({ExceptionType}).")]
    private static partial void LogFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "An export job completed: {Patients} patient(s), {Resources} resource(s).")]
    private static partial void LogCompleted(ILogger logger, int patients, long resources);
}
