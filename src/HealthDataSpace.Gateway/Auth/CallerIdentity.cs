using System.Security.Claims;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>Who is calling, as the gateway sees it after token validation.</summary>
/// <param name="ClientId">The calling application: <c>azp</c> (v2 tokens) or <c>appid</c> (v1 tokens). Identifies a hospital system.</param>
/// <param name="Subject">The calling principal: <c>oid</c>, else <c>sub</c>.</param>
/// <param name="Roles">App roles from the <c>roles</c> claim.</param>
internal sealed record CallerIdentity(string ClientId, string Subject, IReadOnlyList<string> Roles)
{
    public bool IsHospital => HasRole(GatewayRoles.Hospital);
    public bool IsDevice => HasRole(GatewayRoles.Device);
    public bool IsSteward => HasRole(GatewayRoles.Steward);
    public bool IsResearcher => HasRole(GatewayRoles.Researcher);

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}

internal static class CallerIdentityExtensions
{
    // JwtBearer maps inbound claim types unless MapInboundClaims=false (the gateway sets it false), so each claim is
    // looked up under its JWT short name first and its mapped long name second. That keeps ToCaller correct for any
    // principal, including ones built by tests or by a future second scheme.
    private static readonly string[] ClientIdTypes = ["azp", "appid"];
    private static readonly string[] SubjectTypes =
    [
        "oid", "http://schemas.microsoft.com/identity/claims/objectidentifier", "sub", ClaimTypes.NameIdentifier,
    ];

    /// <summary>Reads the caller from an authenticated principal.</summary>
    /// <exception cref="InvalidOperationException">The principal is not authenticated.</exception>
    public static CallerIdentity ToCaller(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            throw new InvalidOperationException("The request is not authenticated; ToCaller needs an authenticated principal.");
        }

        // Roles come from each identity's own role claim type (`roles` for bearer tokens), exactly the claims the
        // authorization policies check: a second claim such as `role` must never widen what the caller may see.
        var roles = principal.Identities
            .SelectMany(identity => identity.FindAll(identity.RoleClaimType))
            .Select(c => c.Value)
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        return new CallerIdentity(First(principal, ClientIdTypes), First(principal, SubjectTypes), roles);
    }

    private static string First(ClaimsPrincipal principal, string[] types)
    {
        foreach (var type in types)
        {
            var value = principal.FindFirst(type)?.Value;
            if (!string.IsNullOrEmpty(value))
            {
                return value;
            }
        }

        return string.Empty;
    }
}
