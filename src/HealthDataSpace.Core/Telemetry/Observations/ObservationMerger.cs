using System.Globalization;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Telemetry.Observations;

/// <summary>
/// MedTech's merge of new readings into a stored Observation with the same identifier: the effective period widens to
/// cover both (correlation groups), category follows the template, the value and each component merge by value type
/// (<see cref="ObservationValues.Merge"/>), and components the stored one lacks are added. Works on a copy; the stored
/// Observation is not changed (the caller marks the copy amended when it differs).
/// </summary>
internal static class ObservationMerger
{
    public static Observation Merge(CodeValueFhirTemplate template, Observation existing, Observation incoming)
    {
        var merged = (Observation)existing.DeepCopy();
        var (oldStart, oldEnd) = Bounds(existing.Effective);
        var (newStart, newEnd) = Bounds(incoming.Effective);
        var start = oldStart < newStart ? oldStart : newStart;
        var end = oldEnd > newEnd ? oldEnd : newEnd;
        if (merged.Effective is Period)
        {
            merged.Effective = new Period(
                new FhirDateTime(TemplateObservationMapper.FhirTime(start)),
                new FhirDateTime(TemplateObservationMapper.FhirTime(end)));
        }

        merged.Category = [.. incoming.Category.Select(c => (CodeableConcept)c.DeepCopy())];

        if (template.Value is { } valueTemplate && incoming.Value is not null)
        {
            merged.Value = ObservationValues.Merge(valueTemplate, merged.Value, incoming.Value, oldStart, newStart, start, end);
            merged.DataAbsentReason = null;
        }

        foreach (var component in incoming.Component)
        {
            var name = ValueName(component.Code);
            var componentTemplate = template.Components.FirstOrDefault(c => c.Value.ValueName == name)?.Value;
            var stored = merged.Component.FirstOrDefault(c => ValueName(c.Code) == name);
            if (stored is null || componentTemplate is null)
            {
                merged.Component.Add((Observation.ComponentComponent)component.DeepCopy());
                continue;
            }

            if (component.Value is not null)
            {
                stored.Value = ObservationValues.Merge(componentTemplate, stored.Value, component.Value, oldStart, newStart, start, end);
                stored.DataAbsentReason = null;
            }
        }

        return merged;
    }

    private static string? ValueName(CodeableConcept? code) =>
        code?.Coding.FirstOrDefault(c => c.System == TemplateObservationMapper.TypeCodeSystem)?.Code;

    private static (DateTimeOffset Start, DateTimeOffset End) Bounds(DataType? effective)
    {
        switch (effective)
        {
            case FhirDateTime instant when Parse(instant.Value) is { } time:
                return (time, time);
            case Period period when Parse(period.Start) is { } start:
                var end = Parse(period.End) ?? start;

                // Stored ends are rounded down to the millisecond; the grouping ends one tick before the next hour.
                return (start, end.AddTicks(TimeSpan.TicksPerMillisecond - 1));
            default:
                throw new ArgumentException("The stored Observation has no effectiveDateTime or effectivePeriod.", nameof(effective));
        }
    }

    private static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;
}
