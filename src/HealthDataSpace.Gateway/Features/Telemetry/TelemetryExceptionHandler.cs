using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace HealthDataSpace.Gateway.Features.Telemetry;

/// <summary>
/// The one place REST telemetry errors (<c>/devices</c>, <c>/telemetry</c>) become ProblemDetails. Refusals keep their
/// status and message (written never to contain data); anything unexpected is a 500 that says nothing about the data,
/// logged by exception type only.
/// </summary>
internal sealed partial class TelemetryExceptionHandler(IProblemDetailsService problems, ILogger<TelemetryExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments("/devices", StringComparison.Ordinal) && !path.StartsWithSegments("/telemetry", StringComparison.Ordinal))
        {
            return false;
        }

        var (status, detail) = exception switch
        {
            TelemetryException refused => (refused.Status, refused.Message),
            FhirException fhir => (fhir.Status, fhir.Message),
            BadHttpRequestException bad => (bad.StatusCode, "The HTTP request is malformed."),
            _ => (0, string.Empty),
        };
        if (status == 0)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            LogUnexpected(logger, exception.GetType().Name, http.Request.Method);
            (status, detail) = (StatusCodes.Status500InternalServerError, "The server failed to process the request; nothing was changed by it.");
        }
        else
        {
            LogRefused(logger, status);
        }

        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry request {Method} failed unexpectedly ({ExceptionType}).")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry request refused with {Status}.")]
    private static partial void LogRefused(ILogger logger, int status);
}
