using HealthDataSpace.Core.Fhir.Store;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Storage;

/// <summary>Creates or upgrades the schema before the gateway takes its first request.</summary>
internal sealed partial class StorageInitializer(IFhirStore store, IOptions<StorageOptions> options, ILogger<StorageInitializer> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        var provider = options.Value.Provider == StorageProvider.Postgres ? "PostgreSQL" : "SQLite";
        LogReady(logger, provider);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Identified store ready ({Provider}).")]
    private static partial void LogReady(ILogger logger, string provider);
}
