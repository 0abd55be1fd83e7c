using HealthDataSpace.Core.Consent;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Consent;

/// <summary>
/// Fills the consent index from the store before the gateway takes requests, then follows the consent change feed,
/// so consents written through other replicas reach this one even when no decision asks for them (decisions catch up
/// before answering anyway). Unenforceable stored consents are skipped, as if they had been refused.
/// </summary>
internal sealed class ConsentIndexStartup(ConsentIndexSync sync, ILogger<ConsentIndexStartup> logger) : CatchUpService(logger)
{
    protected override string Name => "Consent index";

    protected override async Task<int> LoadAsync(CancellationToken cancellationToken) =>
        (await sync.LoadAsync(cancellationToken)).Loaded;

    protected override Task CatchUpAsync(CancellationToken cancellationToken) => sync.EnsureCurrentAsync(cancellationToken);
}
