using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Audit;

/// <summary>
/// The codes audit entries use, from the value sets R4 binds to AuditEvent (DICOM event types, RESTful interactions,
/// audit entity types and object roles) plus this gateway's own code system for what those sets do not name.
/// </summary>
public static class AuditCodes
{
    public const string EventTypeSystem = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    public const string DicomSystem = "http://dicom.nema.org/resources/ontology/DCM";
    public const string RestfulInteractionSystem = "http://hl7.org/fhir/restful-interaction";
    public const string GatewayEventSystem = "https://healthdataspace.eu/fhir/CodeSystem/audit-event";
    public const string EntityTypeSystem = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public const string ObjectRoleSystem = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string PurposeOfUseSystem = "http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse";

    /// <summary>Identifier system of the token subject (<c>oid</c>/<c>sub</c>) in <c>agent.who.identifier</c>.</summary>
    public const string SubjectSystem = "urn:healthdataspace:token-subject";

    /// <summary>Identifier system of the client application (<c>azp</c>/<c>appid</c>) in <c>agent.who.identifier</c>.</summary>
    public const string ClientSystem = "urn:healthdataspace:client-id";

    public static Coding Rest { get; } = new(EventTypeSystem, "rest", "RESTful Operation");

    public static Coding Export { get; } = new(DicomSystem, "110106", "Export");

    public static Coding Query { get; } = new(DicomSystem, "110112", "Query");

    public static Coding Reidentify { get; } = new(GatewayEventSystem, "reidentify", "Re-identification of a pseudonym");

    public static Coding ConsentDecision { get; } = new(GatewayEventSystem, "consent-decision", "Consent decision");

    public static Coding Interaction(string code) => new(RestfulInteractionSystem, code);

    public static Coding Operation(string code) => new(GatewayEventSystem, code);

    public static Coding Person { get; } = new(EntityTypeSystem, "1", "Person");

    public static Coding SystemObject { get; } = new(EntityTypeSystem, "2", "System Object");

    public static Coding PatientRole { get; } = new(ObjectRoleSystem, "1", "Patient");

    public static Coding DomainResourceRole { get; } = new(ObjectRoleSystem, "4", "Domain Resource");

    internal static Coding HumanUser { get; } = new("http://terminology.hl7.org/CodeSystem/extra-security-role-type", "humanuser", "human user");

    internal static Coding Application { get; } = new(DicomSystem, "110150", "Application");

    internal static Coding ApplicationServer { get; } = new("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server");
}
