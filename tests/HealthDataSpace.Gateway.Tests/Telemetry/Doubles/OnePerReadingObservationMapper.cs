using System.Globalization;
using HealthDataSpace.Core.Telemetry;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Telemetry.Doubles;

/// <summary>
/// Test double of the FHIR destination templates (built on another branch): one Observation per reading (MedTech's
/// periodInterval 0), identified by device, type and time; Merge keeps the draft.
/// </summary>
internal sealed class OnePerReadingObservationMapper : ITelemetryObservationMapper
{
    public const string IdentifierSystem = "urn:test:telemetry-observation";

    public IReadOnlyList<ObservationDraft> Map(TelemetrySubject subject, IReadOnlyList<NormalizedReading> readings) =>
        [.. readings.Select(reading =>
        {
            var value = $"{subject.DeviceId}.{reading.Type}.{reading.OccurrenceTime.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
            var observation = new Observation
            {
                Status = ObservationStatus.Final,
                Identifier = [new Identifier(IdentifierSystem, value)],
                Code = new CodeableConcept("urn:test:type", reading.Type),
                Subject = new ResourceReference(subject.PatientReference),
                Device = new ResourceReference(subject.DeviceReference),
                Effective = new FhirDateTime(reading.OccurrenceTime),
                Value = new Quantity(decimal.Parse(reading.Values[0].Value, CultureInfo.InvariantCulture), "1"),
            };
            return new ObservationDraft(IdentifierSystem, value, observation);
        })];

    public Observation Merge(Observation? existing, ObservationDraft draft) => draft.Observation;
}
