using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;
using Microsoft.Net.Http.Headers;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>create, update, delete (plain and conditional) and transaction/batch bundles.</summary>
internal static partial class FhirWriteHandlers
{
    public static async Task<IResult> CreateAsync(string type, HttpContext http, FhirService fhir, ILogger<FhirService> logger)
    {
        FhirHttp.EnsureType(type);
        var resource = await FhirHttp.ReadResourceAsync(http, fhir.Options, type);
        var ifNoneExist = http.Request.Headers["If-None-Exist"].ToString();
        var outcome = await fhir.CreateAsync(FhirHttp.Context(http), resource, ifNoneExist, http.RequestAborted);
        if (outcome.Created)
        {
            LogStored(logger, outcome.Resource.Type, outcome.Resource.Id, outcome.Resource.Version);
        }

        return FhirHttp.Resource(http, outcome.Resource, outcome.Created ? 201 : 200, withLocation: true);
    }

    public static async Task<IResult> UpdateAsync(string type, string id, HttpContext http, FhirService fhir, ILogger<FhirService> logger)
    {
        FhirHttp.EnsureType(type);
        var resource = await FhirHttp.ReadResourceAsync(http, fhir.Options, type);
        var outcome = await fhir.UpdateAsync(FhirHttp.Context(http), type, id, resource, FhirHttp.IfMatch(http.Request), http.RequestAborted);
        LogStored(logger, type, id, outcome.Resource.Version);
        return FhirHttp.Resource(http, outcome.Resource, outcome.Created ? 201 : 200, withLocation: true);
    }

    /// <summary>PUT {type}?criteria: one match is updated, none is created, several is 412 (FHIR conditional update).</summary>
    public static async Task<IResult> ConditionalUpdateAsync(string type, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        var resource = await FhirHttp.ReadResourceAsync(http, fhir.Options, type);
        var entry = await SingleEntryAsync(http, fhir, Bundle.HTTPVerb.PUT, type, resource, returnRepresentation: true);

        // Answer with exactly the version this request wrote, not a re-read that a concurrent write could overtake.
        var written = entry.Resource ?? throw new InvalidOperationException("A conditional update returned no resource.");
        var response = entry.Response ?? throw new InvalidOperationException("A conditional update returned no response.");
        var stored = new StoredResource(type, written.Id!, ETags.ParseVersion(response.Etag) ?? 1,
            response.LastModified ?? DateTimeOffset.UtcNow, Deleted: false, Owner: string.Empty, Method: "PUT",
            Json: FhirJson.Serialize(written));
        var created = response.Status?.StartsWith("201", StringComparison.Ordinal) == true;
        return FhirHttp.Resource(http, stored, created ? 201 : 200, withLocation: true);
    }

    public static async Task<IResult> DeleteAsync(string type, string id, HttpContext http, FhirService fhir, ILogger<FhirService> logger)
    {
        FhirHttp.EnsureType(type);
        var deleted = await fhir.DeleteAsync(FhirHttp.Context(http), type, id, FhirHttp.IfMatch(http.Request), http.RequestAborted);
        if (deleted is not null)
        {
            LogDeleted(logger, type, id);
            http.Response.Headers.ETag = deleted.ETag;
        }

        return Results.NoContent();
    }

    /// <summary>DELETE {type}?criteria: deletes the single match; none is a success; several is 412.</summary>
    public static async Task<IResult> ConditionalDeleteAsync(string type, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        await SingleEntryAsync(http, fhir, Bundle.HTTPVerb.DELETE, type, null, returnRepresentation: false);
        return Results.NoContent();
    }

    public static async Task<IResult> BundleAsync(HttpContext http, FhirService fhir, ILogger<FhirService> logger)
    {
        var resource = await FhirHttp.ReadResourceAsync(http, fhir.Options, expectedType: null);
        if (resource is not Bundle bundle)
        {
            throw FhirException.BadRequest($"POST /fhir takes a transaction or batch Bundle, not a {resource.TypeName}.");
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var returnRepresentation = FhirHttp.Prefers(http.Request, "return=representation");
        var response = await fhir.ProcessBundleAsync(FhirHttp.Context(http), bundle, returnRepresentation, http.RequestAborted);
        var elapsedMs = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var bundleType = bundle.Type == Bundle.BundleType.Transaction ? "transaction" : "batch";
        LogBundle(logger, bundleType, bundle.Entry.Count, elapsedMs);
        return Results.Text(FhirJson.Serialize(response), FhirHttp.ContentType);
    }

    /// <summary>Runs a conditional update or delete through the transaction engine, which already implements them.</summary>
    private static async Task<Bundle.EntryComponent> SingleEntryAsync(HttpContext http, FhirService fhir, Bundle.HTTPVerb method,
        string type, Resource? resource, bool returnRepresentation)
    {
        var query = http.Request.QueryString.Value?.TrimStart('?');
        if (string.IsNullOrEmpty(query))
        {
            throw FhirException.BadRequest($"A conditional {method.ToString().ToUpperInvariant()} needs search criteria, e.g. {type}?identifier=system|value.");
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = resource,
            Request = new Bundle.RequestComponent { Method = method, Url = $"{type}?{query}", IfMatch = NullIfEmpty(http.Request.Headers[HeaderNames.IfMatch].ToString()) },
        });
        var response = await fhir.ProcessBundleAsync(FhirHttp.Context(http), bundle, returnRepresentation, http.RequestAborted);
        return response.Entry[0];
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored {ResourceType}/{Id} version {Version}.")]
    private static partial void LogStored(ILogger logger, string resourceType, string id, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {ResourceType}/{Id}.")]
    private static partial void LogDeleted(ILogger logger, string resourceType, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Processed {BundleType} bundle of {Entries} entries in {ElapsedMs} ms.")]
    private static partial void LogBundle(ILogger logger, string bundleType, int entries, long elapsedMs);
}
