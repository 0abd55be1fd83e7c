using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Auth;

internal static class AuthEndpoints
{
    /// <summary>
    /// Maps <c>GET /auth/me</c> and, when the development issuer is enabled, its anonymous discovery and JWKS endpoints.
    /// </summary>
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGroup("/auth")
            .RequireAuthorization()
            .MapGet("/me", (ClaimsPrincipal user) => Results.Ok(CallerResponse.From(user.ToCaller())))
            .WithName("GetCurrentCaller");

        var options = app.ServiceProvider.GetRequiredService<IOptions<GatewayAuthenticationOptions>>().Value;
        if (options.DevelopmentIssuer.Enabled)
        {
            // Create the key now rather than on the first JWKS request, so `hds token` finds and shares it.
            _ = app.ServiceProvider.GetRequiredService<DevelopmentSigningKeyStore>().Key;
            MapDevelopmentIssuer(app);
        }

        return app;
    }

    private static void MapDevelopmentIssuer(IEndpointRouteBuilder app)
    {
        var issuer = app.MapGroup("/dev-issuer/{tenant}").AllowAnonymous();

        issuer.MapGet("/v2.0/.well-known/openid-configuration", (string tenant, HttpRequest request) =>
        {
            var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/dev-issuer/{Uri.EscapeDataString(tenant)}";
            return Results.Json(new DiscoveryDocument(
                Issuer: $"{baseUrl}/v2.0",
                JwksUri: $"{baseUrl}/discovery/v2.0/keys",
                IdTokenSigningAlgValuesSupported: ["RS256"],
                TokenEndpointAuthSigningAlgValuesSupported: ["RS256"],
                ResponseTypesSupported: ["token"],
                SubjectTypesSupported: ["public"],
                ClaimsSupported: ["sub", "oid", "azp", "roles", "aud", "iss", "iat", "nbf", "exp"]), SnakeCase);
        });

        issuer.MapGet("/discovery/v2.0/keys", (DevelopmentSigningKeyStore store) =>
        {
            var jwk = store.Key.ToPublicJsonWebKey();
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, use = jwk.Use, kid = jwk.Kid, alg = jwk.Alg, n = jwk.N, e = jwk.E } } });
        });
    }

    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private sealed record DiscoveryDocument(
        string Issuer,
        string JwksUri,
        string[] IdTokenSigningAlgValuesSupported,
        string[] TokenEndpointAuthSigningAlgValuesSupported,
        string[] ResponseTypesSupported,
        string[] SubjectTypesSupported,
        string[] ClaimsSupported);
}

/// <summary>The body of <c>GET /auth/me</c>.</summary>
internal sealed record CallerResponse(string ClientId, string Subject, IReadOnlyList<string> Roles)
{
    public static CallerResponse From(CallerIdentity caller) => new(caller.ClientId, caller.Subject, caller.Roles);
}
