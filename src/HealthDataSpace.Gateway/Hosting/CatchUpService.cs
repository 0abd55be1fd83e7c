namespace HealthDataSpace.Gateway.Hosting;

/// <summary>
/// An in-memory index that must be filled before the gateway takes requests and then kept up with what other
/// replicas write: <see cref="LoadAsync"/> runs during start-up (hosted services start in order, after storage), then
/// <see cref="CatchUpAsync"/> every <see cref="Interval"/> (2 s unless the index says otherwise). A store that is briefly unreachable is logged and retried on
/// the next tick.
/// </summary>
internal abstract partial class CatchUpService(ILogger logger) : BackgroundService
{
    protected virtual TimeSpan Interval => TimeSpan.FromSeconds(2);

    protected abstract string Name { get; }

    /// <summary>Fills the index; returns how many items it loaded.</summary>
    protected abstract Task<int> LoadAsync(CancellationToken cancellationToken);

    protected abstract Task CatchUpAsync(CancellationToken cancellationToken);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var loaded = await LoadAsync(cancellationToken);
        LogLoaded(logger, Name, loaded);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CatchUpAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // A failed tick must not end the service (and with it the host): log the type and try again.
                LogCatchUpFailed(logger, Name, error.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Index} loaded: {Count} item(s).")]
    private static partial void LogLoaded(ILogger logger, string index, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Index} catch-up failed ({ExceptionType}); retrying.")]
    private static partial void LogCatchUpFailed(ILogger logger, string index, string exceptionType);
}
