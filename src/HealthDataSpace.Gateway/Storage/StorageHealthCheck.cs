using HealthDataSpace.Core.Fhir.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthDataSpace.Gateway.Storage;

/// <summary>Healthy when a read session on the identified store opens.</summary>
internal sealed class StorageHealthCheck(IFhirStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The exception text may carry connection details; report only its kind.
            return HealthCheckResult.Unhealthy($"Store unavailable ({e.GetType().Name}).");
        }
    }
}
