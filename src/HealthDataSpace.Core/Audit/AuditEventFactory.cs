using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Audit;

/// <summary>
/// Builds the FHIR AuditEvent of an <see cref="AuditRecord"/>. People and applications appear only as structured
/// identifiers in <c>agent.who</c> (searchable with <c>agent:identifier</c>); nothing about them goes into text.
/// </summary>
internal static class AuditEventFactory
{
    public static AuditEvent Create(AuditRecord record, DateTimeOffset recorded)
    {
        var audit = new AuditEvent
        {
            Type = record.Type,
            Subtype = [.. record.Subtypes],
            Action = record.Action,
            Recorded = recorded,
            Outcome = record.Outcome,
            OutcomeDesc = record.OutcomeText,
            Source = new AuditEvent.SourceComponent
            {
                Observer = new ResourceReference { Display = "HealthDataSpace gateway" },
                Type = [AuditCodes.ApplicationServer],
            },
        };
        if (!string.IsNullOrEmpty(record.Purpose))
        {
            audit.PurposeOfEvent = [new CodeableConcept(AuditCodes.PurposeOfUseSystem, record.Purpose)];
        }

        if (record.Actor.Subject is { Length: > 0 } subject)
        {
            audit.Agent.Add(Agent(AuditCodes.HumanUser, AuditCodes.SubjectSystem, subject, requestor: true));
        }

        if (record.Actor.ClientId is { Length: > 0 } client)
        {
            audit.Agent.Add(Agent(AuditCodes.Application, AuditCodes.ClientSystem, client, requestor: audit.Agent.Count == 0));
        }

        if (audit.Agent.Count == 0)
        {
            // R4 requires an agent; a token with neither claim is still recorded, as an unnamed requestor.
            audit.Agent.Add(new AuditEvent.AgentComponent { Requestor = true, Who = new ResourceReference { Display = "unidentified caller" } });
        }

        foreach (var entity in record.Entities)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference { Reference = entity.Reference, Identifier = entity.Identifier },
                Type = entity.Type,
                Role = entity.Role,
            });
        }

        return audit;
    }

    private static AuditEvent.AgentComponent Agent(Coding type, string system, string value, bool requestor) => new()
    {
        Type = new CodeableConcept { Coding = [type] },
        Who = new ResourceReference { Identifier = new Identifier(system, value) },
        Requestor = requestor,
    };
}
