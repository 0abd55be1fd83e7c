using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>
/// Describes exactly what this server does: every R4 resource type with the interactions the engine implements,
/// the search parameters it really indexes (composite and special ones are absent because they are not supported),
/// and the limits that apply.
/// </summary>
internal sealed class CapabilityStatementFactory(SearchParameterRegistry registry, FhirOptions options)
{
    private const string BasePlaceholder = "urn:healthdataspace:base";
    private static readonly string Version = typeof(CapabilityStatementFactory).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    // Built once. The base URL comes from the request's Host header, so it is substituted per request rather than
    // used as a cache key: an anonymous client must not be able to grow server memory by inventing host names.
    private readonly Lazy<string> template = new(() => FhirJson.Serialize(Build(BasePlaceholder, registry, options)));

    public string Json(string baseUrl) => template.Value.Replace(BasePlaceholder, baseUrl, StringComparison.Ordinal);

    private static CapabilityStatement Build(string baseUrl, SearchParameterRegistry registry, FhirOptions options)
    {
        var rest = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Documentation = $"Search: unknown parameters are rejected (400) unless 'Prefer: handling=lenient'. Pages of {options.DefaultPageSize} by default, " +
                            $"at most {options.MaxPageSize} (_count), paged with _offset. Bundles: at most {options.MaxBundleEntries} entries and {options.MaxBundleBytes} bytes. " +
                            "Each hospital system (token azp/appid) sees only what it wrote; stewards see everything; researchers have no access here.",
            Security = new CapabilityStatement.SecurityComponent
            {
                Cors = false,
                Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth", "OAuth")],
                Description = "OAuth 2.0 bearer tokens (Microsoft Entra ID or a configured OIDC issuer); app roles Hospital or Steward.",
            },
            Interaction =
            [
                new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
            ],
        };
        foreach (var type in ModelInfo.SupportedResources.Where(ResourceTypes.IsKnown).Order(StringComparer.Ordinal))
        {
            rest.Resource.Add(Describe(type, registry));
        }

        return new CapabilityStatement
        {
            Id = "healthdataspace",
            Url = $"{baseUrl}/metadata",
            Name = "HealthDataSpaceGateway",
            Title = "HealthDataSpace gateway — identified FHIR store",
            Status = PublicationStatus.Active,
            Date = "2026-11-24",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "HealthDataSpace", Version = Version },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "HealthDataSpace gateway", Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json", "json"],
            Rest = [rest],
        };
    }

    private static CapabilityStatement.ResourceComponent Describe(string type, SearchParameterRegistry registry)
    {
        var resource = new CapabilityStatement.ResourceComponent
        {
            Type = type,
            Profile = $"http://hl7.org/fhir/StructureDefinition/{type}",
            Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
            ReadHistory = true,
            UpdateCreate = true,
            ConditionalCreate = true,
            ConditionalRead = CapabilityStatement.ConditionalReadStatus.NotSupported,
            ConditionalUpdate = true,
            ConditionalDelete = CapabilityStatement.ConditionalDeleteStatus.Single,
            ReferencePolicy = [CapabilityStatement.ReferenceHandlingPolicy.Literal, CapabilityStatement.ReferenceHandlingPolicy.Enforced, CapabilityStatement.ReferenceHandlingPolicy.Local],
            Interaction = [.. new[]
            {
                CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.Vread,
                CapabilityStatement.TypeRestfulInteraction.Update, CapabilityStatement.TypeRestfulInteraction.Delete,
                CapabilityStatement.TypeRestfulInteraction.HistoryInstance, CapabilityStatement.TypeRestfulInteraction.Create,
                CapabilityStatement.TypeRestfulInteraction.SearchType,
            }.Select(i => new CapabilityStatement.ResourceInteractionComponent { Code = i })],
        };
        resource.SearchParam.Add(Param("_id", "http://hl7.org/fhir/SearchParameter/Resource-id", SearchParamType.Token));
        resource.SearchParam.Add(Param("_lastUpdated", "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", SearchParamType.Date));
        foreach (var p in registry.For(type).Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            resource.SearchParam.Add(Param(p.Name, p.DefinitionUrl, ToFhirType(p.Kind)));
        }

        return resource;
    }

    private static CapabilityStatement.SearchParamComponent Param(string name, string definition, SearchParamType type) =>
        new() { Name = name, Definition = string.IsNullOrEmpty(definition) ? null : definition, Type = type };

    private static SearchParamType ToFhirType(SearchParamKind kind) => kind switch
    {
        SearchParamKind.Token => SearchParamType.Token,
        SearchParamKind.String => SearchParamType.String,
        SearchParamKind.Reference => SearchParamType.Reference,
        SearchParamKind.Date => SearchParamType.Date,
        SearchParamKind.Number => SearchParamType.Number,
        SearchParamKind.Quantity => SearchParamType.Quantity,
        _ => SearchParamType.Uri,
    };
}
