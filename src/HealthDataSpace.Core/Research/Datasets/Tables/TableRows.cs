namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>A row of <c>patients</c>. Ids are the pseudonymised ones of the resource JSON.</summary>
internal sealed record PatientRow(
    string PatientId,
    string? Gender,
    string? BirthDate,
    int? BirthYear,
    bool? Deceased,
    DateTime? DeceasedDateTime,
    string? PostalRegion,
    string? State,
    string? Country,
    FirstCoding Race,
    FirstCoding Ethnicity,
    string? BirthSex);

/// <summary>A row of <c>conditions</c>.</summary>
internal sealed record ConditionRow(
    string ConditionId,
    string PatientId,
    string? EncounterId,
    FirstCoding Code,
    string? ClinicalStatus,
    string? VerificationStatus,
    string? Category,
    DateTime? Onset,
    DateTime? Abatement,
    DateTime? RecordedDate);

/// <summary>
/// What an Observation (or one of its components) holds as its value: <see cref="Type"/> is the FHIR type of
/// <c>value[x]</c> (<c>Quantity</c>, <c>CodeableConcept</c>, <c>string</c>, …), and the columns of that type are set.
/// </summary>
internal sealed record ObservationValue(
    string? Type,
    double? Number = null,
    string? Unit = null,
    string? Comparator = null,
    FirstCoding Coding = default,
    string? Text = null,
    bool? Boolean = null,
    DateTime? DateTimeValue = null,
    SampledSummary? Sampled = null)
{
    public static readonly ObservationValue None = new(Type: null);
}

/// <summary>A summary of <c>valueSampledData</c>: its numeric points (origin + factor × data) and sampling period.</summary>
internal sealed record SampledSummary(int Count, double? Min, double? Max, double? Mean, double? PeriodMs);

/// <summary>A row of <c>observations</c>: the Observation itself, or one of its components (<see cref="ComponentIndex"/> set).</summary>
internal sealed record ObservationRow(
    string ObservationId,
    string PatientId,
    string? EncounterId,
    string? Status,
    string? Category,
    FirstCoding Code,
    FirstCoding Parent,
    int? ComponentIndex,
    DateTime? Effective,
    ObservationValue Value);

/// <summary>A row of <c>medications</c>: a MedicationRequest or a MedicationStatement.</summary>
internal sealed record MedicationRow(
    string MedicationId,
    string PatientId,
    string? EncounterId,
    string ResourceType,
    FirstCoding Code,
    string? MedicationRef,
    string? Status,
    string? Intent,
    DateTime? AuthoredOn,
    DateTime? Effective);
