using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Audit;

/// <summary>Who acted, as the token said: the user or service principal (subject) and the client application.</summary>
/// <param name="Subject">The token's <c>oid</c> (or <c>sub</c>); null when it named none.</param>
/// <param name="ClientId">The calling application (<c>azp</c>/<c>appid</c>); null when it named none.</param>
public sealed record AuditActor(string? Subject, string? ClientId)
{
    /// <summary>The gateway itself, for what it does on its own (e.g. withdrawal notices).</summary>
    public static AuditActor Gateway { get; } = new(null, "healthdataspace-gateway");
}

/// <summary>
/// What an audit entry is about: a FHIR resource by reference (<c>Consent/1/_history/2</c>, <c>Patient/7</c>), or a
/// non-FHIR object (a data permit, a dataset) by identifier.
/// </summary>
public sealed record AuditEntity(string? Reference, Coding Type, Coding? Role = null, Identifier? Identifier = null)
{
    public static AuditEntity Resource(string reference) =>
        new(reference, AuditCodes.SystemObject, AuditCodes.DomainResourceRole);

    public static AuditEntity Patient(string reference) =>
        new(reference, AuditCodes.Person, AuditCodes.PatientRole);

    public static AuditEntity Object(string system, string value) =>
        new(null, AuditCodes.SystemObject, AuditCodes.DomainResourceRole, new Identifier(system, value));
}

/// <summary>
/// One event for the audit trail. <see cref="OutcomeText"/> is free text and must carry no identifier, name or token:
/// say what went wrong in general terms; the entities carry the references the standard needs.
/// </summary>
public sealed record AuditRecord(
    Coding Type,
    IReadOnlyList<Coding> Subtypes,
    AuditEvent.AuditEventAction Action,
    AuditActor Actor,
    string? Purpose,
    AuditEvent.AuditEventOutcome Outcome,
    IReadOnlyList<AuditEntity> Entities,
    string? OutcomeText = null);
