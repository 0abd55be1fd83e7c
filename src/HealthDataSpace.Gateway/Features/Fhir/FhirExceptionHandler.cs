using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Diagnostics;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>
/// The one place FHIR errors become OperationOutcomes. Refusals (<see cref="FhirException"/>, oversize or broken
/// requests) keep their status; anything unexpected is a 500 whose body says nothing about the data, and whose log
/// line names only the exception type, never its message (which could quote data).
/// </summary>
internal sealed partial class FhirExceptionHandler(ILogger<FhirExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!http.Request.Path.StartsWithSegments("/fhir", StringComparison.Ordinal))
        {
            return false;
        }

        var error = exception switch
        {
            FhirException fhir => fhir,
            BadHttpRequestException { StatusCode: 413 } => FhirException.TooLarge("The request body is larger than this server accepts (see Fhir:MaxBundleBytes)."),
            BadHttpRequestException bad => new FhirException(bad.StatusCode, OperationOutcome.IssueType.Invalid, "The HTTP request is malformed."),
            InvalidDataException => FhirException.BadRequest("The form body exceeds the server's limits on form fields."),
            System.Data.Common.DbException { SqlState: "40P01" or "40001" } => FhirException.Conflict(
                "The request conflicted with a concurrent request and was rolled back; nothing was stored. Retry it."),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };
        if (error is null)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            if (logger.IsEnabled(LogLevel.Error))
            {
                LogUnexpected(logger, exception.GetType().Name, http.Request.Method, http.Request.Path.Value ?? string.Empty);
            }

            error = new FhirException(500, OperationOutcome.IssueType.Exception, "The server failed to process the request. A single write or transaction in it was rolled back; in a batch, entries before the failure may have been stored.");
        }
        else
        {
            LogRefused(logger, error.Status, error.Issue);
        }

        http.Response.StatusCode = error.Status;
        http.Response.ContentType = FhirHttp.ContentType;
        await http.Response.WriteAsync(FhirJson.Serialize(OperationOutcomes.From(error)), cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "FHIR request {Method} {Path} failed unexpectedly ({ExceptionType}).")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "FHIR request refused with {Status} ({Issue}).")]
    private static partial void LogRefused(ILogger logger, int status, OperationOutcome.IssueType issue);
}
