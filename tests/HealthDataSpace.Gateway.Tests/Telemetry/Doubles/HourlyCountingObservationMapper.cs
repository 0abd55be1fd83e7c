using System.Globalization;
using HealthDataSpace.Core.Telemetry;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Telemetry.Doubles;

/// <summary>
/// A mapper whose Merge is not idempotent on purpose: one Observation per device, type and hour whose value counts the
/// readings folded into it. Projecting the same readings twice would double the count, so it exposes any replay that
/// the projection fails to recognise.
/// </summary>
internal sealed class HourlyCountingObservationMapper : ITelemetryObservationMapper
{
    public const string IdentifierSystem = "urn:test:hourly-count";

    public IReadOnlyList<ObservationDraft> Map(TelemetrySubject subject, IReadOnlyList<NormalizedReading> readings) =>
        [.. readings.GroupBy(r => (r.Type, Hour: new DateTimeOffset(r.OccurrenceTime.UtcDateTime.Date.AddHours(r.OccurrenceTime.UtcDateTime.Hour), TimeSpan.Zero)))
            .Select(group =>
            {
                var value = $"{subject.DeviceId}.{group.Key.Type}.{group.Key.Hour.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";
                var observation = new Observation
                {
                    Status = ObservationStatus.Final,
                    Identifier = [new Identifier(IdentifierSystem, value)],
                    Code = new CodeableConcept("urn:test:type", group.Key.Type),
                    Subject = new ResourceReference(subject.PatientReference),
                    Device = new ResourceReference(subject.DeviceReference),
                    Effective = new Period(new FhirDateTime(group.Key.Hour), new FhirDateTime(group.Key.Hour.AddHours(1))),
                    Value = new Quantity(group.Count(), "readings"),
                };
                return new ObservationDraft(IdentifierSystem, value, observation);
            })];

    public Observation Merge(Observation? existing, ObservationDraft draft)
    {
        if (existing is null)
        {
            return draft.Observation;
        }

        var total = ((Quantity)existing.Value).Value + ((Quantity)draft.Observation.Value).Value;
        existing.Value = new Quantity(total ?? 0, "readings");
        return existing;
    }
}
