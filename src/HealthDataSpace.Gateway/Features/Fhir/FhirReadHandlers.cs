using HealthDataSpace.Core.Fhir;
using Microsoft.Net.Http.Headers;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>read, vread, history and search.</summary>
internal static class FhirReadHandlers
{
    public static async Task<IResult> ReadAsync(string type, string id, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        var stored = await fhir.ReadAsync(FhirHttp.Context(http), type, id, http.RequestAborted);
        if (http.Request.Headers[HeaderNames.IfNoneMatch].ToString() == stored.ETag)
        {
            http.Response.Headers.ETag = stored.ETag;
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return FhirHttp.Resource(http, stored, 200, withLocation: false);
    }

    public static async Task<IResult> ReadVersionAsync(string type, string id, string version, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        var stored = await fhir.ReadVersionAsync(FhirHttp.Context(http), type, id, version, http.RequestAborted);
        return FhirHttp.Resource(http, stored, 200, withLocation: false);
    }

    public static async Task<IResult> HistoryAsync(string type, string id, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        var body = await fhir.HistoryAsync(FhirHttp.Context(http), type, id, QueryPairs(http.Request.Query), http.RequestAborted);
        return FhirHttp.Json(body);
    }

    public static async Task<IResult> SearchAsync(string type, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        return await SearchWithAsync(type, QueryPairs(http.Request.Query), http, fhir);
    }

    /// <summary>POST {type}/_search with form-encoded parameters, for queries too long or sensitive for a URL.</summary>
    public static async Task<IResult> SearchByPostAsync(string type, HttpContext http, FhirService fhir)
    {
        FhirHttp.EnsureType(type);
        var pairs = QueryPairs(http.Request.Query);
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            pairs.AddRange(form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? string.Empty))));
        }
        else if (http.Request.ContentLength > 0)
        {
            throw new FhirException(415, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                "POST _search takes application/x-www-form-urlencoded parameters.");
        }

        return await SearchWithAsync(type, pairs, http, fhir);
    }

    private static async Task<IResult> SearchWithAsync(string type, List<KeyValuePair<string, string>> pairs, HttpContext http, FhirService fhir)
    {
        var lenient = FhirHttp.Prefers(http.Request, "handling=lenient");
        var body = await fhir.SearchAsync(FhirHttp.Context(http), type, pairs, lenient, http.RequestAborted);
        return FhirHttp.Json(body);
    }

    private static List<KeyValuePair<string, string>> QueryPairs(IQueryCollection query) =>
        query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
}
