using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Fhir;

internal static class FhirApiExtensions
{
    /// <summary>Registers the FHIR engine and its options (section <c>Fhir</c>).</summary>
    public static WebApplicationBuilder AddFhirApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FhirOptions>()
            .Bind(builder.Configuration.GetSection(FhirOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.MaxPageSize >= o.DefaultPageSize, "Fhir:MaxPageSize must not be below Fhir:DefaultPageSize.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<FhirOptions>>().Value);
        builder.Services.AddSingleton(SearchParameterRegistry.Shared);
        builder.Services.AddSingleton<ResourceIndexer>();
        builder.Services.AddSingleton<SearchQueryParser>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FhirService>();
        builder.Services.AddSingleton<CapabilityStatementFactory>();
        builder.Services.AddExceptionHandler<FhirExceptionHandler>();

        // Kestrel's own body limit sits just above ours, so our check answers first with a proper OperationOutcome.
        var maxBytes = builder.Configuration.GetSection(FhirOptions.SectionName).GetValue<long?>(nameof(FhirOptions.MaxBundleBytes))
                       ?? new FhirOptions().MaxBundleBytes;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBytes + 1);
        return builder;
    }
}
