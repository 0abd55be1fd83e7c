using HealthDataSpace.Core.Research.Cohorts;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Fills the research index at start-up (after storage and consent), then every <see cref="PollInterval"/> picks up
/// what other replicas wrote; writes through this replica arrive at commit. New data is therefore counted at once here
/// and within a few seconds elsewhere.
/// </summary>
internal sealed partial class ResearchIndexService(ResearchIndexFeeder feeder, ILogger<ResearchIndexService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var loaded = await feeder.LoadAsync(cancellationToken);
        LogLoaded(logger, loaded);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await feeder.CatchUpAsync(stoppingToken);
            }
            catch (Exception error) when (error is System.Data.Common.DbException or TimeoutException)
            {
                LogCatchUpFailed(logger, error.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Research index loaded: {Resources} resource(s).")]
    private static partial void LogLoaded(ILogger logger, int resources);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Research index catch-up failed ({ExceptionType}); retrying.")]
    private static partial void LogCatchUpFailed(ILogger logger, string exceptionType);
}
