using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Audit;
using HealthDataSpace.Gateway.Features.Consent;
using HealthDataSpace.Gateway.Features.Fhir;
using HealthDataSpace.Gateway.Features.Privacy;
using HealthDataSpace.Gateway.Features.Research;
using HealthDataSpace.Gateway.Features.Telemetry;
using HealthDataSpace.Gateway.Storage;

namespace HealthDataSpace.Gateway.Hosting;

/// <summary>
/// The gateway's table of contents: every feature's services, then the pipeline and the routes. Program.cs runs it;
/// <c>hds demo</c> builds the same application in its own process (with its own configuration and logging), so the
/// demo exercises exactly what operators run.
/// </summary>
internal static class GatewayApplication
{
    /// <summary>The gateway as <c>dotnet run</c> starts it: configuration from appsettings, environment and <paramref name="args"/>.</summary>
    public static WebApplication Build(string[] args) => Build(WebApplication.CreateBuilder(args));

    /// <summary>
    /// For hosts that start the gateway from code: <paramref name="configure"/> runs before any feature reads the
    /// configuration, so it can add settings (an in-memory source added there wins over appsettings and environment),
    /// replace logging providers or the host lifetime.
    /// </summary>
    public static WebApplication Build(WebApplicationOptions options, Action<WebApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = WebApplication.CreateBuilder(options);
        configure(builder);
        return Build(builder);
    }

    private static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddGatewayHosting();
        builder.AddGatewayAuthentication();
        builder.AddGatewayStorage();
        builder.AddFhirApi();
        builder.AddAuditTrail();
        builder.AddConsentEngine();
        builder.AddPrivacy();
        builder.AddTelemetry();
        builder.AddResearchApi();

        var app = builder.Build();

        app.UseGatewayErrorHandling();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints();
        app.MapAuthEndpoints();
        app.MapFhirApi();
        app.MapConsentApi();
        app.MapPrivacyApi();
        app.MapAuditApi();
        app.MapResearchApi();
        app.MapTelemetryApi();
        return app;
    }
}
