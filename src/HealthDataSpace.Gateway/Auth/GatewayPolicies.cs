using Microsoft.AspNetCore.Authorization;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>Authorization policy names. Apply them at route-group level: <c>group.RequireAuthorization(GatewayPolicies.FhirClient)</c>.</summary>
internal static class GatewayPolicies
{
    /// <summary>FHIR REST clients: hospital systems and data stewards.</summary>
    public const string FhirClient = "FhirClient";
    public const string Hospital = "Hospital";
    public const string Device = "Device";
    public const string Steward = "Steward";
    public const string Researcher = "Researcher";
    public const string HospitalOrSteward = "HospitalOrSteward";
    public const string ResearcherOrSteward = "ResearcherOrSteward";

    internal static void AddGatewayPolicies(this AuthorizationBuilder authorization)
    {
        authorization
            .AddPolicy(FhirClient, p => p.RequireRole(GatewayRoles.Hospital, GatewayRoles.Steward))
            .AddPolicy(Hospital, p => p.RequireRole(GatewayRoles.Hospital))
            .AddPolicy(Device, p => p.RequireRole(GatewayRoles.Device))
            .AddPolicy(Steward, p => p.RequireRole(GatewayRoles.Steward))
            .AddPolicy(Researcher, p => p.RequireRole(GatewayRoles.Researcher))
            .AddPolicy(HospitalOrSteward, p => p.RequireRole(GatewayRoles.Hospital, GatewayRoles.Steward))
            .AddPolicy(ResearcherOrSteward, p => p.RequireRole(GatewayRoles.Researcher, GatewayRoles.Steward))
            // Secure by default: an endpoint that states no policy still needs a valid token.
            // Anonymous endpoints (discovery, health probes) must say .AllowAnonymous() explicitly.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }
}
