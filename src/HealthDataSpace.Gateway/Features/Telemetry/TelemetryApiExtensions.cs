using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Projection;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Core.Telemetry.Templates;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Telemetry.Devices;
using HealthDataSpace.Gateway.Features.Telemetry.Grpc;
using HealthDataSpace.Gateway.Features.Telemetry.Mqtt;
using HealthDataSpace.Gateway.Hosting;
using HealthDataSpace.Gateway.Storage;
using HealthDataSpace.Storage.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HealthDataSpace.Gateway.Features.Telemetry;

internal static class TelemetryApiExtensions
{
    /// <summary>The policy of the gRPC ingest service: a device SAS token, or a Bearer token with role Device.</summary>
    public const string IngestPolicy = "TelemetryIngest";

    /// <summary>Development only: the key-encryption key generated into <c>{Storage:DataPath}/secrets/</c>.</summary>
    public const string DevelopmentKeyEncryptionKeyName = "device-key-encryption";

    /// <summary>
    /// The device registry, telemetry store, group-commit writer, template engine, gRPC ingest (SAS or Bearer), MQTT
    /// endpoint and Observation projection (sections <c>Devices</c>, <c>Telemetry</c>, <c>Telemetry:Templates</c>, <c>Mqtt</c>).
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DevicesOptions>().BindConfiguration(DevicesOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DevicesOptions>, DevicesOptionsValidator>();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TelemetryOptions>>().Value);

        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider == StorageProvider.Postgres
                ? TelemetryStoreFactory.CreatePostgres(sp.GetRequiredService<NpgsqlDataSource>())
                : TelemetryStoreFactory.CreateSqlite(
                    Path.Combine(Path.GetFullPath(storage.DataPath), "telemetry.db"), sp.GetRequiredService<TelemetryOptions>().SqliteFullSync);
        });
        services.AddSingleton(sp => sp.GetRequiredService<TelemetryStorage>().Store);
        services.AddSingleton(sp => sp.GetRequiredService<TelemetryStorage>().Registry);

        // The MedTech-compatible template engine: device-content templates normalise on the ingest path, FHIR
        // destination templates map in the projection (docs/telemetry-templates.md).
        services.AddOptions<TelemetryTemplateOptions>().BindConfiguration(TelemetryTemplateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryTemplateOptions>, TelemetryTemplateOptionsValidator>();
        services.AddSingleton(sp => TelemetryTemplateFactory.Load(sp.GetRequiredService<IOptions<TelemetryTemplateOptions>>().Value));
        services.AddSingleton<ITelemetryNormalizer>(sp => sp.GetRequiredService<TelemetryTemplates>().CreateNormalizer());
        services.AddSingleton<ITelemetryObservationMapper>(sp => sp.GetRequiredService<TelemetryTemplates>().CreateObservationMapper());

        services.AddSingleton(sp => new DeviceKeyProtector(KeyEncryptionKey(sp)));
        services.AddSingleton(sp => new DeviceDirectory(sp.GetRequiredService<IDeviceRegistry>(), sp.GetRequiredService<DeviceKeyProtector>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<TelemetryOptions>().DeviceCacheLifetime));
        services.AddSingleton<DeviceSessions>();
        services.AddSingleton<DeviceRegistrationService>();
        services.AddSingleton<TelemetryWriter>();
        services.AddSingleton<TelemetryIngestor>();
        services.AddSingleton(sp => new TelemetryObservationProjector(sp.GetRequiredService<ITelemetryStore>(),
            sp.GetRequiredService<IDeviceRegistry>(), sp.GetRequiredService<ITelemetryObservationMapper>(),
            sp.GetRequiredService<FhirService>(), sp.GetRequiredService<IFhirStore>()));

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, SharedAccessSignatureHandler>(SharedAccessSignatureHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(IngestPolicy, policy => policy
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme, SharedAccessSignatureHandler.SchemeName)
            .RequireRole(GatewayRoles.Device));
        services.AddGrpc().AddServiceOptions<TelemetryIngestService>(grpc =>
        {
            grpc.Interceptors.Add<TelemetryStatusInterceptor>();
            // A batch is bounded: with Telemetry:QueueCapacity this bounds what the gateway buffers.
            grpc.MaxReceiveMessageSize = 4 * 1024 * 1024;
        });

        // Registration order is start order: the store first, MQTT and the projection after it.
        services.AddHostedService<TelemetryPipelineService>();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "Mqtt:BindAddress must be an IP address, e.g. 127.0.0.1 or 0.0.0.0.")
            .Validate(o => string.IsNullOrWhiteSpace(o.TlsCertificatePath) || File.Exists(o.TlsCertificatePath),
                "Mqtt:TlsCertificatePath names a file that does not exist.")
            .ValidateOnStart();
        services.AddSingleton<MqttIngestServer>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestServer>());
        services.AddHostedService<ObservationProjectionService>();
        return builder;
    }

    public static WebApplication MapTelemetryApi(this WebApplication app)
    {
        app.MapDeviceEndpoints();
        app.MapTelemetryQueryEndpoints();
        app.MapGrpcService<TelemetryIngestService>().RequireAuthorization(IngestPolicy);
        return app;
    }

    private static byte[] KeyEncryptionKey(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<DevicesOptions>>().Value.KeyEncryptionKey;
        return string.IsNullOrWhiteSpace(configured)
            ? DevelopmentSecretFile.LoadOrCreateKey(Path.GetFullPath(services.GetRequiredService<IOptions<StorageOptions>>().Value.DataPath),
                DevelopmentKeyEncryptionKeyName, DeviceKeyProtector.KeyEncryptionKeyBytes)
            : Convert.FromBase64String(configured.Trim());
    }
}
