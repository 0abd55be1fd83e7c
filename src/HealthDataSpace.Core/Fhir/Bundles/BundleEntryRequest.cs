using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Bundles;

/// <summary>One bundle entry's request, parsed and checked before anything is written.</summary>
internal sealed class BundleEntryRequest
{
    private BundleEntryRequest(int index, Bundle.EntryComponent entry, Bundle.HTTPVerb method, string type, string? id,
        string? version, string? query)
    {
        Index = index;
        Entry = entry;
        Method = method;
        Type = type;
        Id = id;
        Version = version;
        Query = query;
    }

    public int Index { get; }

    public Bundle.EntryComponent Entry { get; }

    public Bundle.HTTPVerb Method { get; }

    public string Type { get; }

    /// <summary>The id in the URL (PUT, DELETE, GET), or the one assigned while processing.</summary>
    public string? Id { get; set; }

    public string? Version { get; }

    /// <summary>The query of a conditional PUT/DELETE or of a GET search.</summary>
    public string? Query { get; }

    public Resource? Resource => Entry.Resource;

    public string? FullUrl => Entry.FullUrl;

    public string? IfNoneExist => Entry.Request?.IfNoneExist;

    public long? IfMatch => ETags.ParseVersion(Entry.Request?.IfMatch);

    public string Describe => $"entry {Index} ({Method.ToString().ToUpperInvariant()} {Type})";

    public static BundleEntryRequest Parse(int index, Bundle.EntryComponent entry, string baseUrl)
    {
        var request = entry.Request
            ?? throw FhirException.BadRequest($"Bundle entry {index} has no request (method and url are required in transactions and batches).");
        var method = request.Method
            ?? throw FhirException.BadRequest($"Bundle entry {index} has no request.method.");
        if (method == Bundle.HTTPVerb.PATCH)
        {
            throw FhirException.NotSupported($"Bundle entry {index}: PATCH is not supported by this server.");
        }

        var url = request.Url ?? throw FhirException.BadRequest($"Bundle entry {index} has no request.url.");
        if (url.StartsWith(baseUrl + "/", StringComparison.Ordinal))
        {
            url = url[(baseUrl.Length + 1)..];
        }

        var question = url.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? url : url[..question];
        var query = question < 0 ? null : url[(question + 1)..];
        var segments = path.Trim('/').Split('/');
        var type = segments[0];
        if (!ResourceTypes.IsKnown(type))
        {
            throw FhirException.BadRequest($"Bundle entry {index}: request.url must start with an R4 resource type.");
        }

        string? id = segments.Length > 1 ? segments[1] : null;
        string? version = segments.Length == 4 && segments[2] == "_history" ? segments[3] : null;
        if ((segments.Length > 2 && version is null) || segments.Length > 4 || (id is not null && !Search.ReferenceParser.IsValidId(id)))
        {
            throw FhirException.BadRequest($"Bundle entry {index}: request.url is not of the form Type, Type/id or Type?query.");
        }

        var parsed = new BundleEntryRequest(index, entry, method, type, id, version, query);
        parsed.Check();
        return parsed;
    }

    /// <summary>The lock key of a conditional write entry (ifNoneExist, conditional PUT or DELETE), or null.</summary>
    public string? ConditionalWriteKey => Method switch
    {
        Bundle.HTTPVerb.POST when !string.IsNullOrWhiteSpace(IfNoneExist) => ResourceWriter.CriteriaKey(Type, IfNoneExist),
        Bundle.HTTPVerb.PUT or Bundle.HTTPVerb.DELETE when Id is null && Query is not null => ResourceWriter.CriteriaKey(Type, Query),
        _ => null,
    };

    private void Check()
    {
        if (Version is not null && Method is not (Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD))
        {
            throw FhirException.BadRequest($"Bundle entry {Index}: only GET may name a version (_history) in request.url.");
        }

        switch (Method)
        {
            case Bundle.HTTPVerb.POST:
                RequireResource();
                if (Id is not null)
                {
                    throw FhirException.BadRequest($"Bundle entry {Index}: POST goes to the type (e.g. 'Patient'), not to an id.");
                }

                break;
            case Bundle.HTTPVerb.PUT:
                RequireResource();
                if (Id is null && Query is null)
                {
                    throw FhirException.BadRequest($"Bundle entry {Index}: PUT needs Type/id or a conditional Type?query.");
                }

                break;
            case Bundle.HTTPVerb.DELETE:
                if (Id is null && Query is null)
                {
                    throw FhirException.BadRequest($"Bundle entry {Index}: DELETE needs Type/id or a conditional Type?query.");
                }

                break;
        }
    }

    private void RequireResource()
    {
        if (Resource is null)
        {
            throw FhirException.BadRequest($"Bundle entry {Index}: {Method.ToString().ToUpperInvariant()} needs a resource.");
        }

        if (Resource.TypeName != Type)
        {
            throw FhirException.BadRequest($"Bundle entry {Index}: the resource is a {Resource.TypeName} but request.url is for {Type}.");
        }
    }
}
