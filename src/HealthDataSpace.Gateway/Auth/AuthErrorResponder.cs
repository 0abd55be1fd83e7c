using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;
using IssueType = Hl7.Fhir.Model.OperationOutcome.IssueType;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>
/// Writes 401 and 403 bodies: a FHIR OperationOutcome under <c>/fhir</c>, RFC 7807 ProblemDetails elsewhere.
/// Diagnostics name the problem in plain words and never repeat the token or a claim value.
/// </summary>
internal sealed partial class AuthErrorResponder(ILogger<AuthErrorResponder> logger)
{
    public const string FhirJson = "application/fhir+json";
    public const string ProblemJson = "application/problem+json";

    public async Task WriteUnauthorizedAsync(HttpContext context, Exception? failure)
    {
        var tokenSent = HasBearerToken(context.Request);
        var reason = DescribeFailure(failure, tokenSent);
        LogUnauthorized(logger, context.Request.Method, reason);

        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750: no error code when no token was presented; invalid_token when one was sent and rejected.
        context.Response.Headers.Append(
            HeaderNames.WWWAuthenticate,
            tokenSent ? $"Bearer error=\"invalid_token\", error_description=\"{reason}\"" : "Bearer");
        await WriteBodyAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", reason, IssueType.Login);
    }

    public async Task WriteForbiddenAsync(HttpContext context, IReadOnlyCollection<string> requiredRoles)
    {
        var caller = context.User.Identity?.IsAuthenticated == true ? context.User.ToCaller() : null;
        // Only the gateway's own role names are repeated back; anything else in the roles claim is not echoed.
        var held = caller?.Roles.Select(GatewayRoles.Normalize).OfType<string>().Distinct().ToArray() ?? [];
        var area = AreaOf(context.Request.Path);
        var heldText = held.Length == 0 ? "a token without a gateway role" : $"role {string.Join(" and ", held)}";
        var reason = requiredRoles.Count == 0
            ? $"{heldText} may not use {area}"
            : $"{heldText} may not use {area}; it requires role {string.Join(" or ", requiredRoles)}";
        LogForbidden(logger, caller?.ClientId ?? string.Empty, context.Request.Method, area);

        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteBodyAsync(context, StatusCodes.Status403Forbidden, "Forbidden", reason, IssueType.Forbidden);
    }

    internal static string DescribeFailure(Exception? failure, bool tokenSent) => failure switch
    {
        null when !tokenSent => "missing bearer token",
        null => "bearer token was not accepted",
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token is not valid yet",
        SecurityTokenInvalidAudienceException => "token audience is not this gateway",
        SecurityTokenInvalidIssuerException => "token issuer is not trusted",
        SecurityTokenSignatureKeyNotFoundException => "token is signed with a key the issuer does not publish",
        SecurityTokenInvalidSignatureException => "token signature is missing or invalid",
        SecurityTokenInvalidAlgorithmException => "token signing algorithm is not allowed (RS256 required)",
        SecurityTokenMalformedException or ArgumentException => "token is not a well-formed JWT",
        InvalidOperationException when failure.Message.Contains("IDX20803", StringComparison.Ordinal) =>
            "identity provider metadata could not be retrieved, so the token cannot be validated",
        _ when failure.Message.Contains("IDW10201", StringComparison.Ordinal) => "token carries neither roles nor scopes",
        _ => "token was rejected",
    };

    private static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool IsFhir(PathString path) => path.StartsWithSegments("/fhir", StringComparison.OrdinalIgnoreCase);

    private static string AreaOf(PathString path)
    {
        var value = path.Value ?? "/";
        var second = value.IndexOf('/', 1);
        return second < 0 ? value : value[..second];
    }

    private static async Task WriteBodyAsync(HttpContext context, int status, string title, string reason, IssueType code)
    {
        // gRPC reports auth failures through its status trailers; a JSON body would only confuse the client.
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            return;
        }

        if (IsFhir(context.Request.Path))
        {
            var outcome = new OperationOutcome
            {
                Issue =
                [
                    new OperationOutcome.IssueComponent
                    {
                        Severity = OperationOutcome.IssueSeverity.Error,
                        Code = code,
                        Diagnostics = reason,
                    },
                ],
            };
            context.Response.ContentType = FhirJson;
            await context.Response.WriteAsync(outcome.ToJson(), context.RequestAborted);
            return;
        }

        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = reason,
            Type = status == StatusCodes.Status401Unauthorized
                ? "https://tools.ietf.org/html/rfc9110#section-15.5.2"
                : "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        };
        await context.Response.WriteAsJsonAsync(problem, options: null, ProblemJson, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected unauthenticated {Method} request: {Reason}")]
    private static partial void LogUnauthorized(ILogger logger, string method, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} forbidden on {Method} {Area}")]
    private static partial void LogForbidden(ILogger logger, string clientId, string method, string area);
}
