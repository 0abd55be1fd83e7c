using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Audit;

internal static class AuditApiExtensions
{
    /// <summary>
    /// Registers the audit trail (the one writer of AuditEvents, for every area), its verifier, the chain key
    /// (section <c>Audit</c>) and the rule that AuditEvents are never written through the FHIR API.
    /// </summary>
    public static WebApplicationBuilder AddAuditTrail(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<AuditOptions>()
            .Bind(builder.Configuration.GetSection(AuditOptions.SectionName))
            .Validate(o => development && string.IsNullOrWhiteSpace(o.ChainKey) || AuditOptions.IsValidKey(o.ChainKey),
                "Audit:ChainKey must be base64 of at least 32 random bytes (only Development generates one).")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<AuditOptions>>().Value.ChainKey;
            var key = string.IsNullOrWhiteSpace(configured)
                ? DevelopmentSecretFile.LoadOrCreateKey(DevelopmentSigningKeyStore.DataPathFrom(sp.GetRequiredService<IConfiguration>()), "audit-chain")
                : Convert.FromBase64String(configured.Trim());
            return new AuditChainKey(key);
        });
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.AddSingleton<AuditVerifier>();
        builder.Services.AddSingleton<IFhirWriteHook, AuditEventWriteGuard>();
        return builder;
    }

    /// <summary><c>GET /audit/$verify</c> (Steward): re-computes the whole chain.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/audit/$verify", async (AuditVerifier verifier, CancellationToken cancellationToken) =>
            {
                var result = await verifier.VerifyAsync(cancellationToken);
                return Results.Ok(new
                {
                    valid = result.Valid,
                    entries = result.Entries,
                    firstBrokenAt = result.FirstBrokenAt,
                    problem = result.Problem,
                });
            })
            .RequireAuthorization(GatewayPolicies.Steward);
        return app;
    }
}
