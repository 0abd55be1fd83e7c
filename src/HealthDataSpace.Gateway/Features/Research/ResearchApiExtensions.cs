using HealthDataSpace.Core.Research;
using HealthDataSpace.Gateway.Storage;
using HealthDataSpace.Storage.Research;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HealthDataSpace.Gateway.Features.Research;

internal static class ResearchApiExtensions
{
    /// <summary>Registers the research zone: data permits (kept beside the identified store).</summary>
    public static WebApplicationBuilder AddResearchApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider == StorageProvider.Postgres
                ? PermitStoreFactory.CreatePostgres(sp.GetRequiredService<NpgsqlDataSource>())
                : PermitStoreFactory.CreateSqlite(options.SqlitePath);
        });
        builder.Services.AddHostedService<PermitStoreInitializer>();
        return builder;
    }

    public static IEndpointRouteBuilder MapResearchApi(this IEndpointRouteBuilder app) => app.MapPermitEndpoints();
}

/// <summary>Creates the permit table on start-up (after the identified store's schema).</summary>
internal sealed class PermitStoreInitializer(IPermitStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
