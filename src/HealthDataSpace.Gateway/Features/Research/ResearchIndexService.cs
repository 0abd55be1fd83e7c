using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Fills the research index at start-up (after storage and consent), then picks up what other replicas wrote; writes
/// through this replica arrive at commit. New data is therefore counted at once here and within seconds elsewhere.
/// </summary>
internal sealed class ResearchIndexService(ResearchIndexFeeder feeder, ILogger<ResearchIndexService> logger) : CatchUpService(logger)
{
    protected override string Name => "Research index";

    protected override Task<int> LoadAsync(CancellationToken cancellationToken) => feeder.LoadAsync(cancellationToken);

    protected override Task CatchUpAsync(CancellationToken cancellationToken) => feeder.CatchUpAsync(cancellationToken);
}
