using System.Text.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>The body of <c>POST /research/cohorts/$count</c>.</summary>
internal sealed record CohortCountRequest(string? Permit, JsonElement? Criteria, IReadOnlyList<string>? Stratify);

/// <summary><c>POST /research/cohorts/$count</c> (Researcher): see <see cref="CohortCounting"/> and docs/research.md.</summary>
internal static class CohortEndpoints
{
    public static IEndpointRouteBuilder MapCohortEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/research/cohorts/$count", async (HttpContext http, CohortCounting counting) =>
            {
                var request = await JsonBody.ReadAsync<CohortCountRequest>(http);
                var count = await counting.CountAsync(http.User.ToCaller(), request.Permit, request.Criteria, request.Stratify, http.RequestAborted);
                return Results.Ok(new
                {
                    count = count.Count,
                    suppressed = count.Suppressed,
                    threshold = count.Threshold,
                    strata = count.Strata.Select(s => s.Keys.ToDictionary(k => k.Key, k => (object?)k.Value)
                        .Append(new KeyValuePair<string, object?>("count", s.Count))
                        .Append(new KeyValuePair<string, object?>("suppressed", s.Suppressed))
                        .ToDictionary()),
                });
            })
            .RequireAuthorization(GatewayPolicies.Researcher);
        return app;
    }
}
