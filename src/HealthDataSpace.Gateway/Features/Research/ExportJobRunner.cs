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
/// Runs dataset exports one at a time in the background (an export uses every core; two at once would only take
/// longer each). Jobs live in the database: a restart marks the ones it interrupted as failed rather than leaving them
/// "running" forever. A cancel (DELETE) stops the run at its next page and removes the files it had written.
/// </summary>
internal sealed partial class ExportJobRunner(
    IDatasetStore jobs,
    IPermitStore permits,
    DatasetExporter exporter,
    WithdrawalNotifier withdrawals,
    ConsentIndexSync consent,
    PseudonymDomains domains,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ExportJobRunner> logger) : BackgroundService
{
    public const string InterruptedError = "The export was interrupted by a gateway restart; start a new export.";

    private readonly Channel<ExportWork> _queue = Channel.CreateUnbounded<ExportWork>();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    /// <summary>What the runner needs besides the stored job: the URL the export was requested at (for the manifest).</summary>
    internal sealed record ExportWork(ExportJob Job, string RequestUrl, string ClientId);

    public async Task EnqueueAsync(ExportWork work, CancellationToken cancellationToken)
    {
        await jobs.CreateJobAsync(work.Job, cancellationToken);
        await _queue.Writer.WriteAsync(work, cancellationToken);
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

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var interrupted = await jobs.FailUnfinishedJobsAsync(time.GetUtcNow(), InterruptedError, cancellationToken);
        if (interrupted > 0)
        {
            LogInterrupted(logger, interrupted);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _running[work.Job.Id] = run;
            try
            {
                await RunAsync(work, run.Token, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // Never let one job end the runner; the job says it failed, the log says which exception type (no content).
                LogFailed(logger, error.GetType().Name);
                await jobs.FinishJobAsync(work.Job.Id, ExportStates.Failed, time.GetUtcNow(), null,
                    "The export failed inside the gateway; the data steward can find the cause in the gateway log.", CancellationToken.None);
            }
            finally
            {
                _running.TryRemove(work.Job.Id, out _);
            }
        }
    }

    private async Task RunAsync(ExportWork work, CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        var job = work.Job;
        if (!await jobs.StartJobAsync(job.Id, cancellationToken))
        {
            return; // cancelled while queued
        }

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
            await AuditAsync(work, stored?.Purpose, AuditEvent.AuditEventOutcome.N4, null, "refused: " + refused.Message);
            return;
        }

        await consent.EnsureCurrentAsync(cancellationToken);
        var datasetId = Guid.CreateVersion7().ToString();
        var engine = AnonymizationEngine.Create(AnonymizationPolicy.DefaultResearch, domains.ForProject(permit.Project), time);
        var request = new ExportRequest(permit, job.Id, datasetId, work.RequestUrl, time.GetUtcNow());
        ExportOutcome outcome;
        try
        {
            outcome = await exporter.RunAsync(request, engine, async (progress, ct) =>
            {
                if (!await jobs.UpdateProgressAsync(job.Id, progress, ct))
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
            await AuditAsync(work, permit.Purpose, AuditEvent.AuditEventOutcome.N4, null, timedOut ? "interrupted" : "cancelled");
            return;
        }

        await jobs.SaveDatasetAsync(outcome.Dataset, outcome.Members, cancellationToken);
        var manifest = JsonSerializer.Serialize(outcome.Manifest, DatasetManifest.Json);
        if (!await jobs.FinishJobAsync(job.Id, ExportStates.Completed, time.GetUtcNow(), manifest, null, cancellationToken))
        {
            return;
        }

        await AuditAsync(work, permit.Purpose, AuditEvent.AuditEventOutcome.N0, datasetId, null);
        // A patient who withdrew while the export ran was selected under the old consent: tell the partner now.
        await withdrawals.CheckDatasetAsync(datasetId, cancellationToken);
        var resources = outcome.Manifest.Output.Sum(o => o.Count);
        LogCompleted(logger, outcome.Members.Count, resources);
    }

    private Task<string> AuditAsync(ExportWork work, string? purpose, AuditEvent.AuditEventOutcome outcome, string? datasetId, string? text)
    {
        List<AuditEntity> entities = [AuditEntity.Object(PermitEndpoints.PermitSystem, work.Job.PermitId), AuditEntity.Object(ExportEndpoints.JobSystem, work.Job.Id)];
        if (datasetId is not null)
        {
            entities.Add(AuditEntity.Object(ExportEndpoints.DatasetSystem, datasetId));
        }

        return audit.RecordAsync(new AuditRecord(AuditCodes.Export, [AuditCodes.Operation("dataset-export")], AuditEvent.AuditEventAction.E,
            new AuditActor(work.Job.RequestedBy, work.ClientId), purpose, outcome, entities, text), CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} export job(s) interrupted by the last shutdown were marked failed.")]
    private static partial void LogInterrupted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "An export job failed ({ExceptionType}).")]
    private static partial void LogFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "An export job completed: {Patients} patient(s), {Resources} resource(s).")]
    private static partial void LogCompleted(ILogger logger, int patients, long resources);
}
