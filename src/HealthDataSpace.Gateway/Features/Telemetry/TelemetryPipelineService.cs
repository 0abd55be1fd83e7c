using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Gateway.Features.Telemetry;

/// <summary>
/// Creates the telemetry schema before the first request and runs the group-commit writer loop. On shutdown the loop
/// drains what is queued, so every batch handed to it is either committed (and acked) or failed back to its sender.
/// </summary>
internal sealed partial class TelemetryPipelineService(ITelemetryStore store, TelemetryWriter writer, ILogger<TelemetryPipelineService> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        _loop = Task.Run(() => writer.RunAsync(_stopping.Token), CancellationToken.None);
        LogReady(logger);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry store ready; group-commit writer running.")]
    private static partial void LogReady(ILogger logger);
}
