using System.Text.Json;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Gateway.Hosting;

/// <summary>
/// Reads a small JSON request body for the non-FHIR REST routes with a size cap, so a malformed, missing or oversize
/// body is a 4xx ProblemDetails (via <see cref="ProblemExceptionHandler"/>) rather than a binding failure or a 500.
/// </summary>
internal static class JsonBody
{
    public const int DefaultMaxBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static async Task<T> ReadAsync<T>(HttpContext http, int maxBytes = DefaultMaxBytes)
        where T : class
    {
        var request = http.Request;
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new FhirException(415, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported, "Send JSON (Content-Type: application/json).");
        }

        if (request.ContentLength > maxBytes)
        {
            throw FhirException.TooLarge($"The request body is larger than this endpoint accepts ({maxBytes} bytes).");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw FhirException.TooLarge($"The request body is larger than this endpoint accepts ({maxBytes} bytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw FhirException.BadRequest("The request needs a JSON body.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Options)
                   ?? throw FhirException.BadRequest("The request body is JSON null; send an object.");
        }
        catch (JsonException error)
        {
            // The message of a JsonException can quote the offending value; only its position is passed on.
            throw FhirException.BadRequest(
                $"The request body is not valid JSON for this endpoint (at {error.Path ?? "$"}, line {error.LineNumber + 1}).");
        }
    }
}
