using System.Text;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Core.Tests.Consent;

/// <summary>Consents for the tests: the shared R4 and IHE PCF examples, and composed research consents.</summary>
internal static class ConsentFixtures
{
    public const string R4Spec = "r4-spec";
    public const string IhePcf = "ihe-pcf-derived-json";

    public static string Folder(string name) => Path.Combine(RepositoryPaths.SharedData, "consents", name);

    public static Hl7.Fhir.Model.Consent Load(string folder, string file) =>
        Parse(File.ReadAllText(Path.Combine(Folder(folder), file)));

    public static Hl7.Fhir.Model.Consent Parse(string json) =>
        (Hl7.Fhir.Model.Consent)FhirJson.ParseResource(Encoding.UTF8.GetBytes(json), "Consent");

    /// <summary>
    /// A research consent. No shared example has scope research with HRESCH + a research recipient + class + period,
    /// so this is composed from the IHE PCF <c>ex-consent-basic-research</c> pattern (a permit with purpose HRESCH)
    /// with scope <c>research</c>, an actor, resource-type classes, a validity period, a dataPeriod, and nested
    /// exceptions: deny psychiatry-labelled data (with a permit back for one psychiatry study inside it) and deny
    /// data recorded in 2020.
    /// </summary>
    public static string Research(
        string patient,
        string status = "active",
        string dateTime = "2025-01-10",
        string periodEnd = "2027-12-31",
        string study = "ResearchStudy/cardio") => $$"""
        {
          "resourceType": "Consent",
          "status": "{{status}}",
          "scope": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research" } ] },
          "category": [ { "coding": [ { "system": "http://loinc.org", "code": "59284-0" } ] } ],
          "patient": { "reference": "{{patient}}" },
          "dateTime": "{{dateTime}}",
          "policy": [ { "uri": "http://example.org/policies/researchPrivacyConsentPolicy.txt" } ],
          "provision": {
            "type": "permit",
            "period": { "start": "2025-01-01", "end": "{{periodEnd}}" },
            "actor": [ {
              "role": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP" } ] },
              "reference": { "reference": "{{study}}" }
            }, {
              "role": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP" } ] },
              "reference": { "reference": "ResearchStudy/psych" }
            } ],
            "purpose": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH" } ],
            "class": [
              { "system": "http://hl7.org/fhir/resource-types", "code": "Observation" },
              { "system": "http://hl7.org/fhir/resource-types", "code": "Condition" }
            ],
            "dataPeriod": { "start": "2015-01-01" },
            "provision": [ {
              "type": "deny",
              "securityLabel": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "PSY" } ],
              "provision": [ {
                "type": "permit",
                "actor": [ {
                  "role": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP" } ] },
                  "reference": { "reference": "ResearchStudy/psych" }
                } ]
              } ]
            }, {
              "type": "deny",
              "dataPeriod": { "start": "2020-01-01", "end": "2020-12-31" }
            } ]
          }
        }
        """;

    /// <summary>An R4-style general privacy consent: OPTIN policyRule, untyped root without criteria (permit all).</summary>
    public static string PrivacyPermitAll(string patient) => $$"""
        {
          "resourceType": "Consent",
          "status": "active",
          "scope": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy" } ] },
          "category": [ { "coding": [ { "system": "http://loinc.org", "code": "59284-0" } ] } ],
          "patient": { "reference": "{{patient}}" },
          "dateTime": "2024-01-01",
          "policyRule": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN" } ] }
        }
        """;
}
