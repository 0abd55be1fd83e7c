using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Telemetry;

/// <summary>Who a device's readings are about: the FHIR references every Observation carries.</summary>
internal sealed record TelemetrySubject(string DeviceId, string DeviceReference, string PatientReference);

/// <summary>
/// An Observation to upsert, found again by its deterministic identifier (so re-processing the same readings is
/// idempotent): one per reading when the FHIR template's <c>periodInterval</c> is 0, one per device, type and period
/// otherwise.
/// </summary>
internal sealed record ObservationDraft(string IdentifierSystem, string IdentifierValue, Observation Observation);

/// <summary>
/// Applies the FHIR destination templates (MedTech <c>CodeValueFhir</c>) to normalised readings.
/// </summary>
internal interface ITelemetryObservationMapper
{
    /// <summary>Groups the readings of one device per the templates and builds the Observations to write.</summary>
    IReadOnlyList<ObservationDraft> Map(TelemetrySubject subject, IReadOnlyList<NormalizedReading> readings);

    /// <summary>Folds a draft into the stored Observation with the same identifier (period groups), or returns the
    /// draft's Observation when there is none. Returns <paramref name="existing"/> itself when the draft adds nothing
    /// (reprocessed readings), so the caller can skip the write; never modifies <paramref name="existing"/>.</summary>
    Observation Merge(Observation? existing, ObservationDraft draft);
}
