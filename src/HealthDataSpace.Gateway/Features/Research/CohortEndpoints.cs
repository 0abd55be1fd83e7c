using System.Text.Json;
using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Hosting;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>The body of <c>POST /research/cohorts/$count</c>.</summary>
internal sealed record CohortCountRequest(string? Permit, JsonElement? Criteria, IReadOnlyList<string>? Stratify);

/// <summary>
/// <c>POST /research/cohorts/$count</c> (Researcher): a consent-filtered, suppressed count under a permit whose outputs
/// include <c>aggregate</c>. Every use, allowed or refused, is audited as a query against the permit.
/// </summary>
internal static class CohortEndpoints
{
    public static IEndpointRouteBuilder MapCohortEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/research/cohorts/$count", CountAsync).RequireAuthorization(GatewayPolicies.Researcher);
        return app;
    }

    private static async Task<IResult> CountAsync(HttpContext http, IPermitStore permits, CohortService cohorts, ConsentIndexSync consent,
        AuditTrail audit, TimeProvider time)
    {
        var request = await JsonBody.ReadAsync<CohortCountRequest>(http);
        if (string.IsNullOrWhiteSpace(request.Permit) || request.Criteria is not { ValueKind: JsonValueKind.Object } criteria)
        {
            throw FhirException.BadRequest("'permit' (an id) and 'criteria' (an object) are required.");
        }

        var caller = http.User.ToCaller();
        var stored = await permits.GetAsync(request.Permit, http.RequestAborted);
        DataPermit permit;
        try
        {
            permit = PermitGuard.Authorize(stored, caller.Subject, PermitOutputs.Aggregate, time.GetUtcNow());
        }
        catch (FhirException refused)
        {
            await RecordAsync(audit, caller, stored, request.Permit, AuditEvent.AuditEventOutcome.N4, "refused: " + refused.Message, http.RequestAborted);
            throw;
        }

        // A revocation acknowledged by any replica counts from now on.
        await consent.EnsureCurrentAsync(http.RequestAborted);
        var count = cohorts.Count(permit, criteria, request.Stratify);
        await RecordAsync(audit, caller, permit, permit.Id, AuditEvent.AuditEventOutcome.N0, null, http.RequestAborted);
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
    }

    private static Task<string> RecordAsync(AuditTrail audit, CallerIdentity caller, DataPermit? permit, string permitId,
        AuditEvent.AuditEventOutcome outcome, string? text, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditRecord(AuditCodes.Query, [AuditCodes.Operation("cohort-count")], AuditEvent.AuditEventAction.E,
            new AuditActor(caller.Subject, caller.ClientId), permit?.Purpose, outcome,
            [AuditEntity.Object(PermitEndpoints.PermitSystem, permitId)], text), cancellationToken);
}
