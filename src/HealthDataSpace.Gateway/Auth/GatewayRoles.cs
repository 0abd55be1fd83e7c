namespace HealthDataSpace.Gateway.Auth;

/// <summary>App roles carried in the token's <c>roles</c> claim (Entra ID app roles of the gateway's registration).</summary>
internal static class GatewayRoles
{
    public const string Hospital = "Hospital";
    public const string Device = "Device";
    public const string Steward = "Steward";
    public const string Researcher = "Researcher";

    /// <summary>Every role the gateway knows, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [Hospital, Device, Steward, Researcher];

    /// <summary>Returns the canonical spelling of a known role, or null for anything else.</summary>
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(known => string.Equals(known, role, StringComparison.OrdinalIgnoreCase));
}
