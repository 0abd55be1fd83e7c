using System.Text.Json;
using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Gateway.Auth;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// One cohort count for a researcher, shared by REST and gRPC: the permit checked (aggregate output), consent brought
/// up to date, the count taken, and every use — allowed or refused — audited as a query against the permit.
/// </summary>
internal sealed class CohortCounting(IPermitStore permits, CohortService cohorts, ConsentIndexSync consent, AuditTrail audit, TimeProvider time)
{
    public async Task<CohortCount> CountAsync(CallerIdentity caller, string? permitId, JsonElement? criteria, IReadOnlyList<string>? stratify,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(permitId) || criteria is not { ValueKind: JsonValueKind.Object } definition)
        {
            throw FhirException.BadRequest("'permit' (an id) and 'criteria' (an object) are required.");
        }

        var stored = await permits.GetAsync(permitId, cancellationToken);
        DataPermit permit;
        try
        {
            permit = PermitGuard.Authorize(stored, caller.Subject, PermitOutputs.Aggregate, time.GetUtcNow());
        }
        catch (FhirException refused)
        {
            await RecordAsync(caller, stored, permitId, AuditEvent.AuditEventOutcome.N4, "refused: " + refused.Message, cancellationToken);
            throw;
        }

        // A revocation acknowledged by any replica counts from now on.
        await consent.EnsureCurrentAsync(cancellationToken);
        var count = cohorts.Count(permit, definition, stratify);
        await RecordAsync(caller, permit, permit.Id, AuditEvent.AuditEventOutcome.N0, null, cancellationToken);
        return count;
    }

    private Task<string> RecordAsync(CallerIdentity caller, DataPermit? permit, string permitId, AuditEvent.AuditEventOutcome outcome,
        string? text, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditRecord(AuditCodes.Query, [AuditCodes.Operation("cohort-count")], AuditEvent.AuditEventAction.E,
            new AuditActor(caller.Subject, caller.ClientId), permit?.Purpose, outcome,
            [AuditEntity.Object(PermitEndpoints.PermitSystem, permitId)], text), cancellationToken);
}
