using System.Globalization;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>
/// Turns a pseudonymised Patient, Condition, MedicationRequest or MedicationStatement into its table row, reading
/// only the elements the table has (see docs/dataset-tables.md). Codes are the first coding of a CodeableConcept; a
/// resource missing its id, or (for clinical resources) a <c>subject</c> reference to a Patient, is refused.
/// </summary>
internal static class ResourceRowReader
{
    private const string RaceUrl = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
    private const string EthnicityUrl = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
    private const string BirthSexUrl = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex";

    public static PatientRow Patient(JsonFields resource)
    {
        var id = resource.RequiredString("id");
        var birthDate = resource.String("birthDate");
        _ = resource.Timestamp("birthDate");
        var (deceased, deceasedAt) = Deceased(resource);
        var address = resource.First("address");
        FirstCoding race = default, ethnicity = default;
        string? birthSex = null;
        foreach (var extension in resource.Items("extension"))
        {
            switch (extension.String("url"))
            {
                case RaceUrl:
                    race = OmbCategory(extension);
                    break;
                case EthnicityUrl:
                    ethnicity = OmbCategory(extension);
                    break;
                case BirthSexUrl:
                    birthSex = extension.String("valueCode");
                    break;
            }
        }

        return new PatientRow(id, resource.String("gender"), birthDate, BirthYear(birthDate), deceased, deceasedAt,
            address?.String("postalCode"), address?.String("state"), address?.String("country"), race, ethnicity, birthSex);
    }

    public static ConditionRow Condition(JsonFields resource) => new(
        resource.RequiredString("id"),
        PatientOf(resource),
        resource.ReferencedId("encounter", "Encounter"),
        resource.FirstCodingOf("code"),
        resource.FirstCodingOf("clinicalStatus").Code,
        resource.FirstCodingOf("verificationStatus").Code,
        resource.First("category")?.FirstCoding().Code,
        StartOf(resource, "onset"),
        StartOf(resource, "abatement"),
        resource.Timestamp("recordedDate"));

    /// <summary>MedicationRequest (authoredOn, intent) or MedicationStatement (effective[x]).</summary>
    public static MedicationRow Medication(JsonFields resource, string resourceType)
    {
        var request = resourceType == "MedicationRequest";
        return new MedicationRow(
            resource.RequiredString("id"),
            PatientOf(resource),
            resource.ReferencedId(request ? "encounter" : "context", "Encounter"),
            resourceType,
            resource.FirstCodingOf("medicationCodeableConcept"),
            resource.ReferencedId("medicationReference", "Medication"),
            resource.String("status"),
            request ? resource.String("intent") : null,
            request ? resource.Timestamp("authoredOn") : null,
            request ? null : StartOf(resource, "effective"));
    }

    /// <summary>The pseudonymised Patient id of <c>subject</c>: required, because every dataset row belongs to a patient.</summary>
    public static string PatientOf(JsonFields resource) => resource.ReferencedId("subject", "Patient")
        ?? throw resource.Error("subject.reference", "must reference a Patient (Patient/<id>)");

    /// <summary>
    /// The start of a <c>prefix[x]</c> time choice: a date, dateTime or instant itself, a Period's start; null for
    /// other types (Age, Range, string, Timing), whose start is not a point in time.
    /// </summary>
    public static DateTime? StartOf(JsonFields resource, string prefix)
    {
        if (resource.Choice(prefix) is not var (type, value))
        {
            return null;
        }

        return type switch
        {
            "DateTime" or "Instant" or "Date" => resource.TimestampOf(value, prefix + type),
            "Period" => resource.ObjectOf(value, prefix + type).Timestamp("start"),
            _ => null,
        };
    }

    private static (bool? Deceased, DateTime? At) Deceased(JsonFields patient) => patient.Choice("deceased") switch
    {
        ("Boolean", var value) => (patient.BooleanOf(value, "deceasedBoolean"), null),
        ("DateTime", var value) => (true, patient.TimestampOf(value, "deceasedDateTime")),
        null => (null, null),
        _ => throw patient.Error("deceased[x]", "has a type that is not a choice of Patient.deceased[x]"),
    };

    private static int? BirthYear(string? birthDate) =>
        birthDate is { Length: >= 4 } && int.TryParse(birthDate.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            ? year
            : null;

    /// <summary>The first <c>ombCategory</c> coding of a US Core race or ethnicity extension.</summary>
    private static FirstCoding OmbCategory(JsonFields extension)
    {
        foreach (var part in extension.Items("extension"))
        {
            if (part.String("url") == "ombCategory")
            {
                return part.Object("valueCoding")?.AsCoding() ?? default;
            }
        }

        return default;
    }
}
