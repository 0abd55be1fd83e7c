using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Gateway.Features.Fhir;
using HealthDataSpace.Gateway.Hosting;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Features.Consent;

/// <summary>The body of <c>POST /consent/$evaluate</c>; see docs/consent-model.md.</summary>
internal sealed record ConsentEvaluateRequest(
    string? Patient,
    string? Purpose,
    string? Actor,
    string? ResourceType,
    string? Code,
    IReadOnlyList<string>? SecurityLabels,
    string? Date,
    string? Resource);

/// <summary>
/// Answers one consent question for a steward, as every research read asks it internally. The request is checked
/// first (patient known, purpose a PurposeOfUse code, resource type an R4 type, references and dates well formed),
/// so a typo is a 4xx rather than a quiet default decision. The question is audited: it discloses a patient's choice.
/// </summary>
internal static class ConsentEvaluateHandler
{
    public static async Task<IResult> EvaluateAsync(HttpContext http, ConsentIndex index, ConsentIndexSync sync, FhirService fhir, AuditTrail audit)
    {
        var body = await JsonBody.ReadAsync<ConsentEvaluateRequest>(http);
        var context = FhirHttp.Context(http);
        var request = Validate(body);
        var patientId = request.Patient["Patient/".Length..];
        // 404 for an unknown patient, 410 for a deleted one: the index has no way to tell "no consent" from "no patient".
        await fhir.ReadAsync(context, "Patient", patientId, http.RequestAborted);

        await sync.EnsureCurrentAsync(http.RequestAborted);
        var decision = index.Evaluate(request);
        List<AuditEntity> entities = [AuditEntity.Patient(request.Patient)];
        if (decision.Consent is not null)
        {
            entities.Add(AuditEntity.Resource(decision.Consent));
        }

        await audit.RecordAsync(new AuditRecord(AuditCodes.ConsentDecision, [AuditCodes.Operation("evaluate")],
            AuditEvent.AuditEventAction.E, new AuditActor(context.Subject, context.Scope.ClientId), PurposeOfUse.CodeOf(request.Purpose),
            AuditEvent.AuditEventOutcome.N0, entities), http.RequestAborted);
        return Results.Ok(new
        {
            decision = decision.Permit ? "permit" : "deny",
            consent = decision.Consent,
            provision = decision.Provision,
            reason = decision.Reason,
        });
    }

    private static ConsentDecisionRequest Validate(ConsentEvaluateRequest body)
    {
        var problems = new List<string>();
        if (!IsReference(body.Patient, "Patient"))
        {
            problems.Add("'patient' is required as Patient/{id}.");
        }

        if (!PurposeOfUse.IsKnown(body.Purpose))
        {
            problems.Add("'purpose' is required and must be a v3 PurposeOfUse code such as HRESCH, TREAT or PUBHLTH (bare or as system|code).");
        }

        if (body.Actor is not null && !IsReference(body.Actor, null))
        {
            problems.Add("'actor' must be a reference such as Organization/{id} or ResearchStudy/{id}.");
        }

        if (body.ResourceType is null || !ResourceTypes.IsKnown(body.ResourceType))
        {
            problems.Add("'resourceType' is required and must be an R4 resource type such as Observation.");
        }

        if (body.Resource is not null && !IsReference(body.Resource, body.ResourceType))
        {
            problems.Add("'resource' must be a reference to a resource of 'resourceType', as {type}/{id}.");
        }

        if (body.Code is { Length: 0 } || body.SecurityLabels?.Any(string.IsNullOrWhiteSpace) == true)
        {
            problems.Add("'code' and 'securityLabels' take system|code or a bare code; empty values are not allowed.");
        }

        DateTimeOffset? date = null;
        if (body.Date is not null)
        {
            if (FhirDateRange.TryParse(body.Date, out var range))
            {
                date = new DateTimeOffset(range.Low, TimeSpan.Zero);
            }
            else
            {
                problems.Add("'date' must be a FHIR date or dateTime such as 2024-03-01 or 2024-03-01T10:00:00Z.");
            }
        }

        if (problems.Count > 0)
        {
            throw new FhirException(400, OperationOutcome.IssueType.Invalid, "The consent question is not valid.") { Details = problems };
        }

        return new ConsentDecisionRequest(body.Patient!, body.Purpose!, body.Actor, body.ResourceType!, body.Code,
            body.SecurityLabels, date, Resource: body.Resource);
    }

    private static bool IsReference(string? value, string? type) =>
        ReferenceParser.TryParse(value ?? string.Empty, out var actualType, out _) && !ReferenceParser.IsAbsolute(value!)
        && (type is null || actualType == type);
}
