using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// The Consent resources the steward shortcuts write: an opt-out (policy rule OPTOUT, root provision deny) or an
/// opt-in (OPTIN, permit) for one purpose of use, in the scope that purpose is decided by. Being the patient's newest
/// consent in that scope, it supersedes the earlier ones there.
/// </summary>
public static class ConsentDirectives
{
    private const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    public static Hl7.Fhir.Model.Consent OptOut(string patient, string purpose, DateTimeOffset at) =>
        Create(patient, purpose, at, "OPTOUT", "opt-out", Hl7.Fhir.Model.Consent.ConsentProvisionType.Deny);

    public static Hl7.Fhir.Model.Consent OptIn(string patient, string purpose, DateTimeOffset at) =>
        Create(patient, purpose, at, "OPTIN", "opt-in", Hl7.Fhir.Model.Consent.ConsentProvisionType.Permit);

    private static Hl7.Fhir.Model.Consent Create(string patient, string purpose, DateTimeOffset at, string rule, string display,
        Hl7.Fhir.Model.Consent.ConsentProvisionType type) => new()
    {
        Status = Hl7.Fhir.Model.Consent.ConsentState.Active,
        Scope = new CodeableConcept(ConsentPurposes.ScopeSystem, ConsentPurposes.ScopesFor(purpose)[0]),
        Category = [new CodeableConcept("http://loinc.org", "59284-0", "Patient Consent")],
        Patient = new ResourceReference(patient),
        DateTime = at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture),
        PolicyRule = new CodeableConcept(ActCodeSystem, rule, display),
        Provision = new Hl7.Fhir.Model.Consent.provisionComponent
        {
            Type = type,
            Purpose = [new Coding(ConsentPurposes.ActReasonSystem, purpose)],
        },
    };
}
