using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.AspNetCore.Diagnostics;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>
/// Bodies for error statuses that no handler wrote, such as a route that does not exist (404) or a method the route
/// does not take (405): an OperationOutcome under <c>/fhir</c>, where FHIR clients expect one, ProblemDetails elsewhere.
/// </summary>
internal static class FhirStatusCodeWriter
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments("/fhir", StringComparison.Ordinal))
        {
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http });
            return;
        }

        var status = http.Response.StatusCode;
        var message = status switch
        {
            404 => $"No FHIR interaction at {http.Request.Path.Value}. See GET /fhir/metadata for what this server supports.",
            405 => $"{http.Request.Method} is not a FHIR interaction this server offers at this path (PATCH is not supported).",
            _ => $"The request failed with HTTP status {status}.",
        };
        var issue = status switch
        {
            404 => OperationOutcome.IssueType.NotFound,
            405 => OperationOutcome.IssueType.NotSupported,
            _ => OperationOutcome.IssueType.Processing,
        };
        http.Response.ContentType = FhirHttp.ContentType;
        await http.Response.WriteAsync(FhirJson.Serialize(OperationOutcomes.From(new FhirException(status, issue, message))), http.RequestAborted);
    }
}
