using System.Text;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Tests.Common;

/// <summary>Consents for the tests: the shared R4 and IHE PCF examples, and composed research consents.</summary>
public static class ConsentFixtures
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

    /// <summary>
    /// A broad research consent composed from the German MII pattern (<c>mii-kds-consent/Example_MII_Consent_Einwilligung.xml</c>,
    /// XML only, so rewritten here): the root denies everything for the longest validity (2020-09-01 to 2050-08-31) and
    /// nested permits open what the patient agreed to. MII names each module by a policy code of its own code system
    /// (urn:oid:2.16.840.1.113883.3.1937.777.24.5.3), which the engine cannot match against data; the modules are
    /// expressed in R4 criteria instead, keeping MII's periods:
    /// <list type="bullet">
    /// <item>"MDAT erheben" (collect, 5 years) + "MDAT wissenschaftlich nutzen" (use for research, 30 years): permit
    /// HRESCH on clinical resource types whose data was recorded in the 5-year collection window.</item>
    /// <item>"BIOMAT ... nutzen" (biomaterial, 30 years): permit HRESCH on Specimen.</item>
    /// </list>
    /// No actor: a broad consent covers every approved research recipient.
    /// </summary>
    public static string MiiBroadConsent(string patient, string dateTime = "2020-09-01") => $$"""
        {
          "resourceType": "Consent",
          "status": "active",
          "scope": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research" } ] },
          "category": [ { "coding": [ { "system": "http://loinc.org", "code": "57016-8" } ] } ],
          "patient": { "reference": "{{patient}}" },
          "dateTime": "{{dateTime}}",
          "policy": [ { "uri": "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790" } ],
          "provision": {
            "type": "deny",
            "period": { "start": "2020-09-01", "end": "2050-08-31" },
            "provision": [ {
              "type": "permit",
              "period": { "start": "2020-09-01", "end": "2050-08-31" },
              "purpose": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH" } ],
              "class": [
                { "system": "http://hl7.org/fhir/resource-types", "code": "Observation" },
                { "system": "http://hl7.org/fhir/resource-types", "code": "Condition" },
                { "system": "http://hl7.org/fhir/resource-types", "code": "MedicationRequest" },
                { "system": "http://hl7.org/fhir/resource-types", "code": "Procedure" }
              ],
              "dataPeriod": { "start": "2020-09-01", "end": "2025-08-31" }
            }, {
              "type": "permit",
              "period": { "start": "2020-09-01", "end": "2050-08-31" },
              "purpose": [ { "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH" } ],
              "class": [ { "system": "http://hl7.org/fhir/resource-types", "code": "Specimen" } ]
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
