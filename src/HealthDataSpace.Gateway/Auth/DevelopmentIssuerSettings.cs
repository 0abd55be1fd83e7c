namespace HealthDataSpace.Gateway.Auth;

/// <summary>
/// The settings that point a Development gateway's authentication at its own development issuer when it listens
/// somewhere else than the shipped <c>http://127.0.0.1:5080</c> (appsettings.Development.json): for hosts that start
/// gateways on free ports (<c>hds demo</c>, the benchmarks' gateway process). Keys are configuration paths
/// (<c>AzureAd:Instance</c>); as environment variables write <c>__</c> for <c>:</c>.
/// </summary>
internal static class DevelopmentIssuerSettings
{
    public const string Tenant = "local";

    /// <summary>The issuer (<c>iss</c>) of the development tokens of a gateway at <paramref name="origin"/> (<c>http://host:port</c>).</summary>
    public static string IssuerFor(string origin) => $"{origin.TrimEnd('/')}/dev-issuer/{Tenant}/v2.0";

    public static Dictionary<string, string> For(string origin) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureAd:Instance"] = $"{origin.TrimEnd('/')}/dev-issuer/",
        ["AzureAd:TenantId"] = Tenant,
        ["AzureAd:ClientId"] = DevelopmentTokenMinter.DefaultAudience,
        ["Authentication:ValidIssuers:0"] = IssuerFor(origin),
        ["Authentication:RequireHttpsMetadata"] = "false",
        ["Authentication:DevelopmentIssuer:Enabled"] = "true",
    };
}
