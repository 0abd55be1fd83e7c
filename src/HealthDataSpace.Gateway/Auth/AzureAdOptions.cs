using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>
/// The keys of the <c>AzureAd</c> section that the gateway requires. Microsoft.Identity.Web binds the same section
/// itself; this class exists so a missing value fails start-up instead of the first request.
/// </summary>
internal sealed class AzureAdOptions
{
    public const string SectionName = "AzureAd";

    /// <summary>Identity provider base URL, e.g. <c>https://login.microsoftonline.com/</c>.</summary>
    public string? Instance { get; set; }

    public string? TenantId { get; set; }

    /// <summary>The gateway's application (client) id: the audience its tokens carry.</summary>
    public string? ClientId { get; set; }

    /// <summary>The authority metadata is read from: <c>{Instance}{TenantId}/v2.0</c>.</summary>
    public string Authority => $"{Instance?.TrimEnd('/')}/{TenantId}/v2.0";
}

internal sealed class AzureAdOptionsValidator(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<AzureAdOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureAdOptions options)
    {
        if (!configuration.GetSection(AzureAdOptions.SectionName).Exists())
        {
            return ValidateOptionsResult.Fail(
                "The 'AzureAd' configuration section is missing. Authentication is required: set AzureAd:Instance, " +
                "AzureAd:TenantId and AzureAd:ClientId (see docs/authentication.md).");
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Instance))
        {
            failures.Add("AzureAd:Instance is required (e.g. https://login.microsoftonline.com/).");
        }
        else if (!Uri.TryCreate(options.Instance, UriKind.Absolute, out var instance)
                 || (instance.Scheme != Uri.UriSchemeHttps && instance.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("AzureAd:Instance must be an absolute http(s) URL.");
        }
        else if (instance.Scheme == Uri.UriSchemeHttp && !environment.IsDevelopment())
        {
            failures.Add("AzureAd:Instance must be an https URL outside the Development environment.");
        }

        if (string.IsNullOrWhiteSpace(options.TenantId))
        {
            failures.Add("AzureAd:TenantId is required (the directory (tenant) id of the gateway's app registration).");
        }

        // Multi-tenant authorities would accept tokens from any Entra tenant whose admin grants itself our app roles.
        var issuers = configuration.GetSection("Authentication:ValidIssuers").GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v));
        if (options.TenantId is { } tenant && tenant.ToUpperInvariant() is "COMMON" or "ORGANIZATIONS" or "CONSUMERS" && !issuers.Any())
        {
            failures.Add($"AzureAd:TenantId '{tenant}' would accept tokens from any tenant: use the gateway's own tenant id, or list the accepted issuers in Authentication:ValidIssuers.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("AzureAd:ClientId is required (the gateway's application id, the audience of its tokens).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
