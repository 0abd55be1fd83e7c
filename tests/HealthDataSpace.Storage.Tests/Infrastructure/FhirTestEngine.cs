using System.Text;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Storage.Tests.Infrastructure;

/// <summary>The FHIR engine over a store, with callers for the tenancy cases.</summary>
internal sealed class FhirTestEngine(IFhirStore store)
{
    public const string BaseUrl = "http://gateway.test/fhir";

    public static readonly FhirRequestContext HospitalA = new(new AccessScope("hospital-a", SeesAll: false), BaseUrl);
    public static readonly FhirRequestContext HospitalB = new(new AccessScope("hospital-b", SeesAll: false), BaseUrl);
    public static readonly FhirRequestContext Steward = new(new AccessScope("steward-console", SeesAll: true), BaseUrl);

    public FhirService Service { get; } = new(store, new ResourceIndexer(SearchParameterRegistry.Shared),
        new SearchQueryParser(SearchParameterRegistry.Shared, new FhirOptions()), new FhirOptions(), TimeProvider.System);

    public IFhirStore Store => store;

    public async Task<Bundle> SearchAsync(FhirRequestContext who, string type, string query, bool lenient = false)
    {
        var bytes = await Service.SearchAsync(who, type, QueryString.Parse(query), lenient, CancellationToken.None);
        return (Bundle)FhirJson.ParseResource(bytes);
    }

    public async Task<List<string>> SearchIdsAsync(FhirRequestContext who, string type, string query) =>
        (await SearchAsync(who, type, query)).Entry.Select(e => e.Resource!.Id!).ToList();

    public async Task<StoredResource> CreateAsync(FhirRequestContext who, Resource resource) =>
        (await Service.CreateAsync(who, resource, null, CancellationToken.None)).Resource;

    public async Task<Bundle> TransactionAsync(FhirRequestContext who, Bundle bundle) =>
        await Service.ProcessBundleAsync(who, bundle, returnRepresentation: false, CancellationToken.None);

    public static T Parse<T>(StoredResource stored) where T : Resource =>
        (T)FhirJson.ParseResource(Encoding.UTF8.GetBytes(stored.Json!));
}
