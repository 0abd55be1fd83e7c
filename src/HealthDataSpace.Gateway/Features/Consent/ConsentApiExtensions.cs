using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Gateway.Auth;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Consent;

internal static class ConsentApiExtensions
{
    /// <summary>
    /// Registers the consent engine for the whole gateway: the index (filled at start-up, kept current by every
    /// committed Consent write here and by the consent change feed for writes through other replicas), the write rules that refuse unenforceable consents and audit every change, and the regional
    /// defaults (section <c>Consent</c>).
    /// </summary>
    public static WebApplicationBuilder AddConsentEngine(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsentOptions>()
            .Bind(builder.Configuration.GetSection(ConsentOptions.SectionName))
            .Validate(o => !o.Problems.Any(), "Consent:Defaults is invalid: every key must be a bare v3 PurposeOfUse code (HRESCH, TREAT, PUBHLTH, ...) and every value OptIn or OptOut.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new ConsentIndex(
            new ConsentDefaults(sp.GetRequiredService<IOptions<ConsentOptions>>().Value.Parsed()),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ConsentIndexSync>();
        builder.Services.AddSingleton<IFhirCommitListener, ConsentIndexListener>();
        builder.Services.AddSingleton<IFhirWriteHook, ConsentWriteHook>();
        builder.Services.AddHostedService<ConsentIndexStartup>();
        return builder;
    }

    /// <summary>The steward's consent routes: decisions and the opt-in/opt-out shortcuts (docs/consent-model.md).</summary>
    public static IEndpointRouteBuilder MapConsentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/consent/$evaluate", ConsentEvaluateHandler.EvaluateAsync).RequireAuthorization(GatewayPolicies.Steward);
        var steward = app.MapGroup("/steward/consents").RequireAuthorization(GatewayPolicies.Steward);
        steward.MapPost("/{patient}/$opt-out", StewardConsentHandlers.OptOutAsync);
        steward.MapPost("/{patient}/$opt-in", StewardConsentHandlers.OptInAsync);
        return app;
    }
}
