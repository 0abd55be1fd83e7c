using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>
/// Adds the 403 body (it needs the policy to say which role was missing). Challenges go through JwtBearer, whose
/// OnChallenge event writes the 401 body, so a challenge from anywhere gets the same answer.
/// </summary>
internal sealed class GatewayAuthorizationResultHandler(AuthErrorResponder responder) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(
        RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        foreach (var scheme in policy.AuthenticationSchemes.DefaultIfEmpty())
        {
            await context.ForbidAsync(scheme);
        }

        var requiredRoles = policy.Requirements.OfType<RolesAuthorizationRequirement>()
            .SelectMany(r => r.AllowedRoles)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        await responder.WriteForbiddenAsync(context, requiredRoles);
    }
}
