using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Fills the research index's telemetry day aggregates from the whole telemetry store at start-up (after the store's
/// schema exists), then folds in new readings every second, so a reading counts in cohorts about a second after its
/// ack. Registered only when telemetry is (see <see cref="ResearchApiExtensions.AddResearchApi"/>).
/// </summary>
internal sealed partial class TelemetryDaysService(TelemetryDaysFeeder feeder, ILogger<TelemetryDaysService> logger) : CatchUpService(logger)
{
    protected override string Name => "Telemetry day aggregates";

    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        var step = await feeder.LoadAsync(cancellationToken);
        Report(step);
        return (int)Math.Min(int.MaxValue, step.Readings);
    }

    protected override async Task CatchUpAsync(CancellationToken cancellationToken) => Report(await feeder.CatchUpAsync(cancellationToken));

    /// <summary>Counts only: no device, patient or value is ever logged.</summary>
    private void Report(TelemetryFeedStep step)
    {
        if (step.UnknownDevice > 0 || step.NotNumbers > 0 || step.UnreadableStretches > 0)
        {
            LogSkipped(logger, step.UnknownDevice, step.NotNumbers, step.UnreadableStretches, feeder.Position);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry day aggregates: skipped {UnknownDevice} reading(s) of unregistered devices, " +
        "{NotNumbers} value(s) that are not numbers and {UnreadableStretches} run(s) of unreadable store rows; now at sequence {Position}.")]
    private static partial void LogSkipped(ILogger logger, long unknownDevice, long notNumbers, long unreadableStretches, long position);
}
