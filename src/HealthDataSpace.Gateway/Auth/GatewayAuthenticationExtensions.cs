using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace HealthDataSpace.Gateway.Auth;

internal static class GatewayAuthenticationExtensions
{
    /// <summary>
    /// Bearer-token authentication through Microsoft.Identity.Web on the <c>AzureAd</c> section, the gateway's
    /// policies, and the 401/403 bodies. There is no switch that turns this off.
    /// </summary>
    public static WebApplicationBuilder AddGatewayAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<AzureAdOptions>()
            .BindConfiguration(AzureAdOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureAdOptions>, AzureAdOptionsValidator>();

        services.AddOptions<GatewayAuthenticationOptions>()
            .BindConfiguration(GatewayAuthenticationOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayAuthenticationOptions>, GatewayAuthenticationOptionsValidator>();

        // The section is bound lazily when the options are first built, so configuration added later (tests,
        // environment variables) is honoured.
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddMicrosoftIdentityWebApi(builder.Configuration.GetSection(AzureAdOptions.SectionName));

        // Registered after Microsoft.Identity.Web's own Configure, so these run after it and before JwtBearer's
        // PostConfigure builds the metadata ConfigurationManager (which reads RequireHttpsMetadata).
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, GatewayJwtBearerOptionsSetup>();

        services.AddSingleton<AuthErrorResponder>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, GatewayAuthorizationResultHandler>();
        services.AddAuthorizationBuilder().AddGatewayPolicies();

        services.AddSingleton<DevelopmentSigningKeyStore>();
        return builder;
    }
}
