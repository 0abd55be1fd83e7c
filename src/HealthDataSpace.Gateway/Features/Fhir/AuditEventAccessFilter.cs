using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>
/// The audit trail is readable by stewards only (403 for hospitals) and writable by nobody through the API (405 for
/// create, update and delete; bundle entries are refused by the engine's AuditEventWriteGuard).
/// </summary>
internal static class AuditEventAccessFilter
{
    public static ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        if (!string.Equals(http.GetRouteValue("type") as string, "AuditEvent", StringComparison.Ordinal))
        {
            return next(invocation);
        }

        var reads = HttpMethods.IsGet(http.Request.Method)
                    || (HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Value?.EndsWith("/_search", StringComparison.Ordinal) == true);
        if (!reads)
        {
            throw new FhirException(405, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                "AuditEvent is read-only: the gateway writes the audit trail itself, and no entry can be changed or removed.");
        }

        return http.User.ToCaller().IsSteward
            ? next(invocation)
            : throw FhirException.Forbidden("Only data stewards may read the audit trail.");
    }
}
