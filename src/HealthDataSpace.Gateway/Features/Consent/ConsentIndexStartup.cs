using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Gateway.Features.Consent;

/// <summary>
/// Fills the consent index from the store before the gateway takes requests (hosted services start in order, after
/// the storage initializer), so the first decision after a restart is as current as the last one before it.
/// </summary>
internal sealed partial class ConsentIndexStartup(IFhirStore store, ConsentIndex index, ILogger<ConsentIndexStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (loaded, skipped) = await ConsentIndexLoader.LoadAsync(store, index, cancellationToken);
        LogLoaded(logger, loaded, skipped);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Consent index loaded: {Loaded} consent(s); {Skipped} unenforceable one(s) skipped.")]
    private static partial void LogLoaded(ILogger logger, int loaded, int skipped);
}
