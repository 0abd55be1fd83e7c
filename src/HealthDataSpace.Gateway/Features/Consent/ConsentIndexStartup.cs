using HealthDataSpace.Core.Consent;

namespace HealthDataSpace.Gateway.Features.Consent;

/// <summary>
/// Fills the consent index from the store before the gateway takes requests (hosted services start in order, after
/// the storage initializer), then follows the consent change feed every <see cref="PollInterval"/>, so consents written
/// through other replicas reach this one even when no decision asks for them (decisions catch up before answering).
/// </summary>
internal sealed partial class ConsentIndexStartup(ConsentIndexSync sync, ILogger<ConsentIndexStartup> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var (loaded, skipped) = await sync.LoadAsync(cancellationToken);
        LogLoaded(logger, loaded, skipped);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sync.EnsureCurrentAsync(stoppingToken);
            }
            catch (Exception error) when (error is System.Data.Common.DbException or TimeoutException)
            {
                // The store is briefly unreachable; the next tick (or the next decision) catches up.
                LogFollowFailed(logger, error.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consent index loaded: {Loaded} consent(s); {Skipped} unenforceable one(s) skipped.")]
    private static partial void LogLoaded(ILogger logger, int loaded, int skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the consent change feed failed ({ExceptionType}); retrying.")]
    private static partial void LogFollowFailed(ILogger logger, string exceptionType);
}
