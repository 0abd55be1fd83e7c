using System.Diagnostics;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Projection;

namespace HealthDataSpace.Gateway.Features.Telemetry;

/// <summary>
/// Keeps FHIR Observations up to date with the telemetry store: wakes when the writer commits (or every few seconds),
/// projects from the saved checkpoint until caught up, using at most about half of one core while there is a backlog. A failure is logged by type and retried after a pause; the
/// checkpoint makes a restart resume where it stopped.
/// </summary>
internal sealed partial class ObservationProjectionService(
    IServiceProvider services,
    TelemetryWriter writer,
    ILogger<ObservationProjectionService> logger) : BackgroundService
{
    // Large steps: a period-grouped Observation (hourly SampledData) is rewritten once per step, so under load fewer,
    // larger steps cost far less than many small ones; after a wake-up the service waits a moment for more commits.
    private const int ReadingsPerStep = 20_000;
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _signal = new(0, 1);

    public override void Dispose()
    {
        base.Dispose();
        _signal.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, after start-up validation, not when hosted services are built: the FHIR engine behind it
        // needs settings (audit, consent) whose absence start-up must report by name.
        var projector = services.GetRequiredService<TelemetryObservationProjector>();
        writer.Committed += OnCommitted;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var step = await projector.ProjectNextAsync(ReadingsPerStep, stoppingToken);
                    if (step.Readings > 0)
                    {
                        LogStep(logger, step.Readings, step.ObservationsWritten, step.DevicesSkipped);
                        // Acks come first: with a backlog, rest as long as the step took, so the projection takes at
                        // most half of one core and ingest keeps the rest. Observations trail further under load,
                        // and catch up when it eases (nothing is lost: the checkpoint keeps the place).
                        await Task.Delay(Stopwatch.GetElapsedTime(started), stoppingToken);
                        continue;
                    }

                    if (await _signal.WaitAsync(IdlePoll, stoppingToken))
                    {
                        await Task.Delay(Coalesce, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LogFailed(logger, e.GetType().Name);
                    await Task.Delay(RetryPause, stoppingToken);
                }
            }
        }
        finally
        {
            writer.Committed -= OnCommitted;
        }
    }

    private void OnCommitted(int messages)
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers any number of commits.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Projected {Readings} readings into {Observations} Observations ({Skipped} devices skipped).")]
    private static partial void LogStep(ILogger logger, int readings, int observations, int skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observation projection failed ({ExceptionType}); retrying shortly.")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
