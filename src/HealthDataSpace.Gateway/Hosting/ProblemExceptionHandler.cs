using System.Text.Json;
using HealthDataSpace.Core.Fhir;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace HealthDataSpace.Gateway.Hosting;

/// <summary>
/// Refusals outside <c>/fhir</c> become ProblemDetails with their own status: a <see cref="FhirException"/> thrown by
/// the engines (a 404 for an unknown patient, a 422 for an unenforceable consent), a malformed body or JSON. The
/// detail is the exception's message, which the engines write without data values; anything else is left to the
/// default handler (a 500 that says nothing about the request).
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.Request.Path.StartsWithSegments("/fhir", StringComparison.Ordinal))
        {
            return false;
        }

        var (status, detail, issues) = exception switch
        {
            FhirException fhir => (fhir.Status, fhir.Message, fhir.Details),
            BadHttpRequestException { InnerException: JsonException } => (400, "The request body is not valid JSON for this endpoint.", []),
            BadHttpRequestException bad => (bad.StatusCode, "The HTTP request is malformed.", []),
            JsonException => (400, "The request body is not valid JSON for this endpoint.", []),
            _ => (0, string.Empty, (IReadOnlyList<string>)[]),
        };
        if (status == 0)
        {
            return false;
        }

        LogRefused(logger, status, http.Request.Path.Value ?? string.Empty);
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        if (issues.Count > 0)
        {
            problem.Extensions["issues"] = issues;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request to {Path} refused with {Status}.")]
    private static partial void LogRefused(ILogger logger, int status, string path);
}
