using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>The <c>Authentication</c> section: what goes beyond Entra ID defaults.</summary>
internal sealed class GatewayAuthenticationOptions
{
    public const string SectionName = "Authentication";

    /// <summary>
    /// Issuers accepted for a non-Entra OIDC provider. When set, standard issuer validation against this list replaces
    /// Microsoft.Identity.Web's Entra-specific issuer validator. The metadata document's issuer is always accepted.
    /// </summary>
    public IList<string> ValidIssuers { get; } = new List<string>();

    /// <summary>Fetch OIDC metadata over https only. May be false only in Development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public DevelopmentIssuerOptions DevelopmentIssuer { get; set; } = new();
}

/// <summary>The <c>Authentication:DevelopmentIssuer</c> section: local tokens without a cloud account.</summary>
internal sealed class DevelopmentIssuerOptions
{
    public bool Enabled { get; set; }
}

internal sealed class GatewayAuthenticationOptionsValidator(IHostEnvironment environment)
    : IValidateOptions<GatewayAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayAuthenticationOptions options)
    {
        var failures = new List<string>();
        if (!options.RequireHttpsMetadata && !environment.IsDevelopment())
        {
            failures.Add(
                $"Authentication:RequireHttpsMetadata=false is only allowed in the Development environment " +
                $"(current: {environment.EnvironmentName}). Serve the identity provider metadata over https.");
        }

        if (options.DevelopmentIssuer.Enabled && !environment.IsDevelopment())
        {
            failures.Add(
                $"Authentication:DevelopmentIssuer:Enabled=true is only allowed in the Development environment " +
                $"(current: {environment.EnvironmentName}). Configure a real identity provider in AzureAd.");
        }

        foreach (var issuer in options.ValidIssuers)
        {
            if (!Uri.TryCreate(issuer, UriKind.Absolute, out _))
            {
                failures.Add("Authentication:ValidIssuers must contain absolute URLs only.");
                break;
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
