using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Gateway.Features.Telemetry;

/// <summary>
/// Creates the telemetry schema before the first request and runs the group-commit writer loop. On shutdown the loop
/// drains what is queued, so every batch handed to it is either committed (and acked) or failed back to its sender.
/// </summary>
internal sealed partial class TelemetryPipelineService(ITelemetryStore store, TelemetryWriter writer, ILogger<TelemetryPipelineService> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the MQTT listener and the first gRPC call: hosted services start in registration order.
        await store.InitializeAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
        LogReady(logger);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => writer.RunAsync(stoppingToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry store ready; group-commit writer running.")]
    private static partial void LogReady(ILogger logger);
}
