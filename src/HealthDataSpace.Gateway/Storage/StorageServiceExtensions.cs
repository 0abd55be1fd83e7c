using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Storage.Fhir;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HealthDataSpace.Gateway.Storage;

internal static class StorageServiceExtensions
{
    /// <summary>The backend store without the commit notifier: for commit listeners that also read the store (no DI cycle).</summary>
    public const string BackendKey = "backend";

    /// <summary>
    /// Registers the identified store chosen by <c>Storage:Provider</c>. Choosing PostgreSQL without
    /// <c>ConnectionStrings:Postgres</c> fails start-up rather than quietly falling back to SQLite.
    /// </summary>
    public static WebApplicationBuilder AddGatewayStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Provider != StorageProvider.Postgres
                           || !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Postgres")),
                "Storage:Provider is Postgres but ConnectionStrings:Postgres is not set.")
            .ValidateOnStart();

        builder.Services.AddSingleton(sp =>
            NpgsqlDataSource.Create(sp.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")
                                    ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set.")));
        builder.Services.AddKeyedSingleton<IFhirStore>(BackendKey, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider == StorageProvider.Postgres
                ? FhirStoreFactory.CreatePostgres(sp.GetRequiredService<NpgsqlDataSource>())
                : FhirStoreFactory.CreateSqlite(options.SqlitePath);
        });
        // Everyone uses the store through the notifier, so in-memory indexes (consent) hear of every committed write.
        builder.Services.AddSingleton<IFhirStore>(sp => new NotifyingFhirStore(
            sp.GetRequiredKeyedService<IFhirStore>(BackendKey), sp.GetServices<IFhirCommitListener>()));
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return builder;
    }
}
