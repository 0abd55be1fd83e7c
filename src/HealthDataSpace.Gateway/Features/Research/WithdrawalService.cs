using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Follows the consent change feed every <see cref="CatchUpService.Interval"/> and writes withdrawal notices for
/// delivered patients whose consent no longer allows their dataset's permit (<see cref="WithdrawalNotifier"/>).
/// Start-up does not wait for a backlog: it is worked off in the background like any later change.
/// </summary>
internal sealed class WithdrawalService(WithdrawalNotifier notifier, ConsentIndexSync consent, ILogger<WithdrawalService> logger) : CatchUpService(logger)
{
    protected override string Name => "Dataset withdrawals";

    protected override async Task<int> LoadAsync(CancellationToken cancellationToken) =>
        await notifier.SkipWhileNoDatasetsAsync(cancellationToken) ? 1 : 0;

    protected override async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await consent.EnsureCurrentAsync(cancellationToken);
        await notifier.CatchUpAsync(cancellationToken);
    }
}
