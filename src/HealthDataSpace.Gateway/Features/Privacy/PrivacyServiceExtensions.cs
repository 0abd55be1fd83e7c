using System.Collections.Concurrent;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Gateway.Auth;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Privacy;

internal static class PrivacyServiceExtensions
{
    /// <summary>
    /// Binds <c>Privacy</c> (master key, k-anonymity gate) and registers the per-project pseudonym domains. Outside
    /// Development a missing or malformed master key fails start-up; in Development one is generated into the data
    /// folder when none is configured.
    /// </summary>
    public static WebApplicationBuilder AddPrivacy(this WebApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<PrivacyOptions>()
            .Bind(builder.Configuration.GetSection(PrivacyOptions.SectionName))
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (isDevelopment && string.IsNullOrWhiteSpace(options.MasterKey))
                {
                    options.MasterKey = DevelopmentMasterKey.LoadOrCreate(DevelopmentSigningKeyStore.DataPathFrom(configuration));
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PrivacyOptions>>(new PrivacyOptionsValidator(masterKeyRequired: !isDevelopment));
        builder.Services.AddSingleton<PseudonymDomains>();
        builder.Services.AddSingleton(sp => new KAnonymityGate(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.KAnonymity));
        return builder;
    }
}

/// <summary>Checks <see cref="PrivacyOptions"/>; messages name settings, never the key.</summary>
internal sealed class PrivacyOptionsValidator(bool masterKeyRequired) : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        var problems = options.Validate(masterKeyRequired).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>
/// The gateway's pseudonym domains, one per research project, derived from <c>Privacy:MasterKey</c>. The steward
/// re-identification endpoint recomputes <see cref="PseudonymDomain.PseudonymizeId"/> over candidate ids with these.
/// </summary>
internal sealed class PseudonymDomains(IOptions<PrivacyOptions> options)
{
    private readonly ConcurrentDictionary<string, PseudonymDomain> _domains = new(StringComparer.Ordinal);
    private readonly Lazy<byte[]> _masterKey = new(() => PseudonymDomain.DecodeMasterKey(
        options.Value.MasterKey ?? throw new InvalidOperationException("Privacy:MasterKey is not set.")));

    public PseudonymDomain ForProject(string project)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        return _domains.GetOrAdd(project.Trim(), static (name, key) => PseudonymDomain.ForProject(key.Value, name), _masterKey);
    }
}
