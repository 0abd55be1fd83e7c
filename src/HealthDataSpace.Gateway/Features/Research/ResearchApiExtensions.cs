extern alias AzureIdentity;

using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Storage.Blob;
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
    /// When telemetry is registered (<c>AddTelemetry</c> runs first), the index also keeps telemetry day aggregates,
    /// fed from the telemetry store.
    /// </summary>
    public static WebApplicationBuilder AddResearchApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResearchOptions>()
            .Bind(builder.Configuration.GetSection(ResearchOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<BlobOptions>()
            .Bind(builder.Configuration.GetSection(BlobOptions.SectionName))
            .Validate(o => o.Provider != BlobProvider.AzureBlob || !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Blob")),
                "Blob:Provider is AzureBlob but ConnectionStrings:Blob is not set.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => CreateBlobStorage(sp));
        builder.Services.AddSingleton<ResearchIndex>();
        builder.Services.AddSingleton(sp => new ResearchIndexFeeder(
            sp.GetRequiredKeyedService<IFhirStore>(StorageServiceExtensions.BackendKey), sp.GetRequiredService<ResearchIndex>()));
        builder.Services.AddSingleton<IFhirCommitListener>(sp => sp.GetRequiredService<ResearchIndexFeeder>());
        builder.Services.AddSingleton(sp => new CohortService(sp.GetRequiredService<ResearchIndex>(), sp.GetRequiredService<ConsentIndex>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ResearchOptions>>().Value.MinCellCount));
        builder.Services.AddSingleton<CohortCounting>();
        builder.Services.AddGrpc().AddServiceOptions<Grpc.CohortsGrpcService>(grpc => grpc.Interceptors.Add<Grpc.ResearchStatusInterceptor>());
        builder.Services.AddHostedService<ResearchIndexService>();
        if (builder.Services.Any(s => s.ServiceType == typeof(ITelemetryStore)))
        {
            // Started after the telemetry pipeline service (registered earlier), which creates the store's schema.
            builder.Services.AddSingleton(sp => new TelemetryDaysFeeder(sp.GetRequiredService<ITelemetryStore>(),
                sp.GetRequiredService<IDeviceRegistry>(), sp.GetRequiredService<ResearchIndex>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<TelemetryOptions>().DeviceCacheLifetime));
            builder.Services.AddHostedService<TelemetryDaysService>();
        }

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider == StorageProvider.Postgres
                ? PermitStoreFactory.CreatePostgres(sp.GetRequiredService<NpgsqlDataSource>())
                : PermitStoreFactory.CreateSqlite(options.SqlitePath);
        });
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider == StorageProvider.Postgres
                ? PermitStoreFactory.CreateDatasetStorePostgres(sp.GetRequiredService<NpgsqlDataSource>())
                : PermitStoreFactory.CreateDatasetStoreSqlite(options.SqlitePath);
        });
        builder.Services.AddHostedService<PermitStoreInitializer>();
        builder.Services.AddSingleton(sp => new DatasetExporter(
            sp.GetRequiredKeyedService<IFhirStore>(StorageServiceExtensions.BackendKey), sp.GetRequiredService<ConsentIndex>(),
            sp.GetRequiredService<CohortService>(), sp.GetRequiredService<IBlobStorage>(), sp.GetRequiredService<Core.Privacy.KAnonymityGate>(),
            sp.GetRequiredService<ResearchIndex>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new WithdrawalNotifier(
            sp.GetRequiredKeyedService<IFhirStore>(StorageServiceExtensions.BackendKey), sp.GetRequiredService<IDatasetStore>(),
            sp.GetRequiredService<IPermitStore>(), sp.GetRequiredService<ConsentIndex>(), sp.GetRequiredService<IBlobStorage>(),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ExportJobRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExportJobRunner>());
        builder.Services.AddHostedService<WithdrawalService>();
        return builder;
    }

    /// <summary>
    /// The configured blob storage. An Azure connection string (account key, Azurite) is used as is; a bare service URL
    /// (<c>https://account.blob.core.windows.net</c>, as the Bicep template sets) is reached with the managed identity
    /// through DefaultAzureCredential (AZURE_CLIENT_ID names it), never with a key.
    /// </summary>
    private static IBlobStorage CreateBlobStorage(IServiceProvider services)
    {
        var provider = services.GetRequiredService<IOptions<BlobOptions>>().Value.Provider;
        if (provider == BlobProvider.FileSystem)
        {
            var dataPath = services.GetRequiredService<IOptions<StorageOptions>>().Value.DataPath;
            return BlobStorageFactory.CreateFileSystem(Path.Combine(dataPath, "blobs"));
        }

        var connection = services.GetRequiredService<IConfiguration>().GetConnectionString("Blob")!;
        return Uri.TryCreate(connection, UriKind.Absolute, out var endpoint) && endpoint.Scheme == Uri.UriSchemeHttps
            ? BlobStorageFactory.CreateAzure(new Azure.Storage.Blobs.BlobServiceClient(endpoint, new AzureIdentity::Azure.Identity.DefaultAzureCredential()))
            : BlobStorageFactory.CreateAzure(connection);
    }

    public static IEndpointRouteBuilder MapResearchApi(this IEndpointRouteBuilder app)
    {
        app.MapPermitEndpoints().MapCohortEndpoints().MapExportEndpoints().MapCatalogEndpoints();
        app.MapGrpcService<Grpc.CohortsGrpcService>().RequireAuthorization(Auth.GatewayPolicies.Researcher);
        return app;
    }
}

/// <summary>Creates the permit, export-job and dataset tables on start-up (after the identified store's schema).</summary>
internal sealed class PermitStoreInitializer(IPermitStore store, IDatasetStore datasets) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        await datasets.InitializeAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
