using System.Globalization;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Telemetry.Observations;

/// <summary>
/// <see cref="ITelemetryObservationMapper"/> over MedTech CodeValueFhir templates. Each Observation is final, has the
/// template's codes and category plus a coding of the reading type (system <see cref="TypeCodeSystem"/>), the device's
/// patient as subject, the device, and either effectiveDateTime (periodInterval 0) or effectivePeriod (hour, day or
/// correlation group). Its identifier (system <see cref="IdentifierSystem"/>) is
/// <c>{deviceId}.{type}.{instant|hour|day|correlation}.{UTC start or correlation id}</c>, so processing the same
/// readings again finds and merges the same Observation. Readings of a type with no FHIR template produce no
/// Observation. Thread-safe. Construct it with <see cref="Templates.TelemetryTemplateFactory"/>.
/// </summary>
internal sealed class TemplateObservationMapper(FhirMappingTemplateSet templates) : ITelemetryObservationMapper
{
    public const string IdentifierSystem = "urn:healthdataspace:telemetry";

    /// <summary>The coding added to Observation.code (reading type) and component.code (value name), like MedTech's service coding.</summary>
    public const string TypeCodeSystem = "urn:healthdataspace:telemetry:type";

    public FhirMappingTemplateSet Templates => templates;

    public IReadOnlyList<ObservationDraft> Map(TelemetrySubject subject, IReadOnlyList<NormalizedReading> readings)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(readings);

        var groups = new Dictionary<GroupBucket, ObservationGroup>();
        foreach (var reading in readings)
        {
            if (!templates.TryGet(reading.Type, out var template))
            {
                continue;
            }

            var bucket = ObservationGroup.BucketOf(template, reading);
            if (!groups.TryGetValue(bucket, out var group))
            {
                groups[bucket] = group = ObservationGroup.Create(template, reading);
            }

            group.Add(reading);
        }

        return [.. groups.Values.Select(g => Draft(subject, g))];
    }

    public Observation Merge(Observation? existing, ObservationDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (existing is null)
        {
            return draft.Observation;
        }

        var type = draft.Observation.Code?.Coding.FirstOrDefault(c => c.System == TypeCodeSystem)?.Code;
        if (type is null || !templates.TryGet(type, out var template))
        {
            throw new ArgumentException("The draft was not made by this mapper's templates.", nameof(draft));
        }

        // Unchanged content returns the stored instance itself, so a caller can skip the write (reprocessing).
        var merged = ObservationMerger.Merge(template, existing, draft.Observation);
        if (merged.IsExactly(existing))
        {
            return existing;
        }

        merged.Status = ObservationStatus.Amended;
        return merged;
    }

    private static ObservationDraft Draft(TelemetrySubject subject, ObservationGroup group)
    {
        var template = group.Template;
        var identifier = $"{subject.DeviceId}.{template.TypeName}.{group.Key}";
        var observation = new Observation
        {
            Identifier = [new Identifier(IdentifierSystem, identifier)],
            Status = ObservationStatus.Final,
            Category = [.. template.Category.Select(c => new CodeableConcept { Text = c.Text, Coding = [.. c.Codes.Select(ObservationValues.Coding)] })],
            Code = Code(template.TypeName, template.Codes),
            Subject = new ResourceReference(subject.PatientReference),
            Device = new ResourceReference(subject.DeviceReference),
            Effective = group.IsInstant ? new FhirDateTime(FhirTime(group.Start)) : new Period(new FhirDateTime(FhirTime(group.Start)), new FhirDateTime(FhirTime(group.End))),
        };

        if (template.Value is { } valueTemplate && group.Values(valueTemplate.ValueName) is { Count: > 0 } values)
        {
            observation.Value = ObservationValues.Create(valueTemplate, values, group.Start, group.End);
            if (observation.Value is null)
            {
                observation.DataAbsentReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "error", "Error");
            }
        }

        foreach (var component in template.Components)
        {
            if (group.Values(component.Value.ValueName) is { Count: > 0 } componentValues)
            {
                var value = ObservationValues.Create(component.Value, componentValues, group.Start, group.End);
                observation.Component.Add(new Observation.ComponentComponent
                {
                    Code = Code(component.Value.ValueName, component.Codes),
                    Value = value,
                    DataAbsentReason = value is null ? new CodeableConcept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "error", "Error") : null,
                });
            }
        }

        return new ObservationDraft(IdentifierSystem, identifier, observation);
    }

    internal static CodeableConcept Code(string name, IEnumerable<FhirCoding> codes) => new()
    {
        Text = name,
        Coding = [.. codes.Select(ObservationValues.Coding), new Coding(TypeCodeSystem, name, name)],
    };

    /// <summary>UTC to the millisecond (a period ends one tick before the next hour: 59:59.999).</summary>
    internal static string FhirTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);
}
