using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Gateway.Auth;
using Hl7.Fhir.Model;
using Microsoft.Net.Http.Headers;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>HTTP plumbing shared by the FHIR handlers: who asks, the request body, and FHIR-shaped answers.</summary>
internal static class FhirHttp
{
    public const string ContentType = "application/fhir+json; charset=utf-8";

    public static FhirRequestContext Context(HttpContext http)
    {
        var caller = http.User.ToCaller();
        if (!caller.IsSteward && string.IsNullOrEmpty(caller.ClientId))
        {
            throw FhirException.Forbidden("The token names no client application (azp or appid), so the data it writes could not be attributed.");
        }

        var request = http.Request;
        return new FhirRequestContext(new AccessScope(caller.ClientId, caller.IsSteward), $"{request.Scheme}://{request.Host}{request.PathBase}/fhir")
        {
            Subject = string.IsNullOrEmpty(caller.Subject) ? null : caller.Subject,
        };
    }

    /// <summary>Reads the body as one FHIR resource, enforcing the content type and the size limit.</summary>
    public static async Task<Resource> ReadResourceAsync(HttpContext http, FhirOptions options, string? expectedType)
    {
        var request = http.Request;
        var contentType = request.ContentType;
        if (contentType is not null && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new FhirException(415, OperationOutcome.IssueType.NotSupported, "Send FHIR JSON (Content-Type: application/fhir+json).");
        }

        if (request.ContentLength > options.MaxBundleBytes)
        {
            throw TooLarge(options);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > options.MaxBundleBytes)
            {
                throw TooLarge(options);
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return expectedType is null ? FhirJson.ParseResource(bytes) : FhirJson.ParseResource(bytes, expectedType);
    }

    public static void EnsureType(string type) => ResourceTypes.EnsureKnown(type);

    public static long? IfMatch(HttpRequest request) =>
        ETags.ParseVersion(request.Headers[HeaderNames.IfMatch].ToString());

    /// <summary>Prefer: handling=lenient (search) and return=minimal|representation|OperationOutcome (writes).</summary>
    public static bool Prefers(HttpRequest request, string token) =>
        request.Headers["Prefer"].Any(v => v is not null && v.Contains(token, StringComparison.OrdinalIgnoreCase));

    public static IResult Json(byte[] body) => Results.Bytes(body, ContentType);

    public static IResult Resource(HttpContext http, StoredResource stored, int status, bool withLocation)
    {
        var headers = http.Response.Headers;
        headers.ETag = stored.ETag;
        headers.LastModified = stored.LastUpdated.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (withLocation)
        {
            headers.Location = stored.Location($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/fhir");
        }

        if (status is 200 or 201 && http.Request.Method != HttpMethods.Get)
        {
            if (Prefers(http.Request, "return=minimal"))
            {
                return Results.StatusCode(status);
            }

            if (Prefers(http.Request, "return=OperationOutcome"))
            {
                var note = OperationOutcomes.Information($"{stored.Type}/{stored.Id} stored as version {stored.Version}.");
                return Results.Text(FhirJson.Serialize(note), ContentType, statusCode: status);
            }
        }

        return Results.Text(stored.Json!, ContentType, statusCode: status);
    }

    public static IResult Outcome(FhirException error) =>
        Results.Text(FhirJson.Serialize(OperationOutcomes.From(error)), ContentType, statusCode: error.Status);

    private static FhirException TooLarge(FhirOptions options) =>
        FhirException.TooLarge($"The request body is larger than this server accepts ({options.MaxBundleBytes} bytes; see Fhir:MaxBundleBytes).");
}
