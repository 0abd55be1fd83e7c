using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>
/// Adjusts the JwtBearer options Microsoft.Identity.Web produced: metadata over http when allowed, standard issuer
/// validation for non-Entra issuers, JWT claim names kept as issued, and the 401 body.
/// </summary>
internal sealed class GatewayJwtBearerOptionsSetup(
    IOptions<GatewayAuthenticationOptions> gatewayOptions,
    AuthErrorResponder responder) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        var gateway = gatewayOptions.Value;

        // Microsoft.Identity.Web leaves RequireHttpsMetadata at JwtBearer's default (true). The validator allows false
        // only in Development (the development issuer and WireMock-served metadata are plain http on loopback).
        options.RequireHttpsMetadata = gateway.RequireHttpsMetadata;

        // Keep "roles", "oid", "azp" as issued instead of mapping them to long ClaimTypes URIs.
        options.MapInboundClaims = false;
        options.TokenValidationParameters.RoleClaimType = "roles";
        options.TokenValidationParameters.NameClaimType = "name";

        if (gateway.ValidIssuers.Count > 0)
        {
            // Microsoft.Identity.Web installs an Entra issuer validator that needs a "tid" claim and an Entra-shaped
            // issuer; a standards OIDC issuer fails it. Replace it with the ordinary exact-match validation.
            options.TokenValidationParameters.IssuerValidator = null;
            options.TokenValidationParameters.ValidateIssuer = true;
            options.TokenValidationParameters.ValidIssuers = [.. gateway.ValidIssuers];
        }

        options.TokenValidationParameters.ValidAlgorithms = ["RS256"];

        options.Events ??= new JwtBearerEvents();
        options.Events.OnChallenge = async context =>
        {
            context.HandleResponse();
            await responder.WriteUnauthorizedAsync(context.HttpContext, context.AuthenticateFailure);
        };
    }
}
