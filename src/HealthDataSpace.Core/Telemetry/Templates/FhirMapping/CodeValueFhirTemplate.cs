namespace HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

/// <summary>How MedTech groups readings into Observations (<c>periodInterval</c>).</summary>
internal enum ObservationPeriodInterval
{
    /// <summary>All readings of a device and type sharing a correlation id form one Observation.</summary>
    CorrelationId = -1,

    /// <summary>One Observation per reading (effectiveDateTime).</summary>
    Single = 0,

    /// <summary>One Observation per device, type and UTC hour (effectivePeriod).</summary>
    Hourly = 60,

    /// <summary>One Observation per device, type and UTC day (effectivePeriod).</summary>
    Daily = 1440,
}

internal sealed record FhirCoding(string? System, string? Code, string? Display);

internal sealed record FhirCategory(string? Text, IReadOnlyList<FhirCoding> Codes);

/// <summary>A <c>value</c> of a CodeValueFhir template: which reading value it shows, and as which FHIR type.</summary>
internal abstract record FhirValueTemplate(string ValueName);

/// <summary>SampledData: origin 0 in <see cref="Unit"/>, one slot per <see cref="DefaultPeriod"/> milliseconds, "E" where no reading falls.</summary>
internal sealed record SampledDataValueTemplate(string ValueName, decimal DefaultPeriod, string? Unit) : FhirValueTemplate(ValueName);

/// <summary>Quantity: the first reading of the group (a later merge overwrites it, as in MedTech).</summary>
internal sealed record QuantityValueTemplate(string ValueName, string? Unit, string? Code, string? System) : FhirValueTemplate(ValueName);

/// <summary>string: the first reading's text.</summary>
internal sealed record StringValueTemplate(string ValueName) : FhirValueTemplate(ValueName);

/// <summary>CodeableConcept: fixed codes; the reading's value only says the event happened.</summary>
internal sealed record CodeableConceptValueTemplate(string ValueName, string? Text, IReadOnlyList<FhirCoding> Codes) : FhirValueTemplate(ValueName);

internal sealed record FhirComponentTemplate(IReadOnlyList<FhirCoding> Codes, FhirValueTemplate Value);

/// <summary>One MedTech <c>CodeValueFhir</c> template: the Observation a reading type becomes.</summary>
internal sealed record CodeValueFhirTemplate(
    int Index,
    string TypeName,
    ObservationPeriodInterval PeriodInterval,
    IReadOnlyList<FhirCoding> Codes,
    IReadOnlyList<FhirCategory> Category,
    FhirValueTemplate? Value,
    IReadOnlyList<FhirComponentTemplate> Components)
{
    /// <summary>Every value template, the Observation's own first, then the components'.</summary>
    public IEnumerable<FhirValueTemplate> AllValues =>
        (Value is null ? [] : new[] { Value }).Concat(Components.Select(c => c.Value));
}
