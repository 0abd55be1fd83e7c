using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Gateway.Storage;
using HealthDataSpace.Storage.Research;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HealthDataSpace.Gateway.Features.Research;

internal static class ResearchApiExtensions
{
    /// <summary>
    /// Registers the research zone: data permits (kept beside the identified store), the research index that cohort
    /// counts run on (fed by committed writes and a catch-up loop), and the count service (section <c>Research</c>).
    /// </summary>
    public static WebApplicationBuilder AddResearchApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResearchOptions>()
            .Bind(builder.Configuration.GetSection(ResearchOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ResearchIndex>();
        builder.Services.AddSingleton(sp => new ResearchIndexFeeder(
            sp.GetRequiredKeyedService<IFhirStore>(StorageServiceExtensions.BackendKey), sp.GetRequiredService<ResearchIndex>()));
        builder.Services.AddSingleton<IFhirCommitListener>(sp => sp.GetRequiredService<ResearchIndexFeeder>());
        builder.Services.AddSingleton(sp => new CohortService(sp.GetRequiredService<ResearchIndex>(), sp.GetRequiredService<ConsentIndex>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ResearchOptions>>().Value.MinCellCount));
        builder.Services.AddHostedService<ResearchIndexService>();
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

    public static IEndpointRouteBuilder MapResearchApi(this IEndpointRouteBuilder app) => app.MapPermitEndpoints().MapCohortEndpoints();
}

/// <summary>Creates the permit table on start-up (after the identified store's schema).</summary>
internal sealed class PermitStoreInitializer(IPermitStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
