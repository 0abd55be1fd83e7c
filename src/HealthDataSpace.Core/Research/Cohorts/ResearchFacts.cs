using System.Text;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>A coded fact about a patient: which code, when (UTC ticks, 0 when unknown) and its value (NaN when none).</summary>
internal readonly record struct CodedFact(string Code, long Ticks, double Value);

/// <summary>What the research index keeps of one resource: whose it is and its coded facts, or the patient's own data.</summary>
internal sealed record ResourceFacts(string? PatientId, IReadOnlyList<CodedFact> Facts, long? BirthTicks = null, string? Gender = null);

/// <summary>
/// Extracts the facts cohort criteria use from stored resources: Patient (birth date, gender), Condition (code,
/// onset), Observation (code and component codes, value, effective time), MedicationRequest/MedicationStatement
/// (medication code, time). Nothing else of a resource is kept: no name, identifier or text.
/// </summary>
internal static class ResearchFacts
{
    public static readonly IReadOnlyList<string> IndexedTypes = ["Patient", "Condition", "Observation", "MedicationRequest", "MedicationStatement"];

    public static ResourceFacts? From(string type, string json)
    {
        var resource = FhirJson.ParseResource(Encoding.UTF8.GetBytes(json));
        return resource switch
        {
            Patient p => new ResourceFacts(p.Id, [], Ticks(p.BirthDate), p.Gender?.ToString().ToLowerInvariant()),
            Condition c => new ResourceFacts(PatientOf(c.Subject), Codes(c.Code, Ticks(c.Onset) ?? Ticks(c.RecordedDate), double.NaN)),
            Observation o => new ResourceFacts(PatientOf(o.Subject), ObservationFacts(o)),
            MedicationRequest m => new ResourceFacts(PatientOf(m.Subject), Codes(m.Medication as CodeableConcept, Ticks(m.AuthoredOn), double.NaN)),
            MedicationStatement m => new ResourceFacts(PatientOf(m.Subject), Codes(m.Medication as CodeableConcept, Ticks(m.Effective) ?? Ticks(m.DateAsserted), double.NaN)),
            _ => null,
        };
    }

    private static List<CodedFact> ObservationFacts(Observation observation)
    {
        var when = Ticks(observation.Effective) ?? (observation.Issued is { } issued ? issued.UtcTicks : null);
        var facts = Codes(observation.Code, when, Number(observation.Value));
        foreach (var component in observation.Component)
        {
            facts.AddRange(Codes(component.Code, when, Number(component.Value)));
        }

        return facts;
    }

    private static List<CodedFact> Codes(CodeableConcept? concept, long? ticks, double value)
    {
        var facts = new List<CodedFact>();
        foreach (var coding in concept?.Coding ?? [])
        {
            if (!string.IsNullOrEmpty(coding.Code))
            {
                facts.Add(new CodedFact(string.IsNullOrEmpty(coding.System) ? coding.Code : $"{coding.System}|{coding.Code}", ticks ?? 0, value));
            }
        }

        return facts;
    }

    private static double Number(DataType? value) => value switch
    {
        Quantity { Value: { } v } => (double)v,
        Integer { Value: { } i } => i,
        _ => double.NaN,
    };

    private static string? PatientOf(ResourceReference? subject) =>
        ReferenceParser.TryParse(subject?.Reference ?? string.Empty, out var type, out var id) && type == "Patient" ? id : null;

    private static long? Ticks(DataType? value) => value switch
    {
        FhirDateTime dt => Ticks(dt.Value),
        Period p => Ticks(p.Start),
        Date d => Ticks(d.Value),
        _ => null,
    };

    private static long? Ticks(string? text) => FhirDateRange.TryParse(text, out var range) ? range.Low : null;
}
