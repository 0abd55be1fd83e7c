namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>A numeric or date bound: each present limit must hold (<c>gt</c>, <c>ge</c>, <c>lt</c>, <c>le</c>).</summary>
internal sealed record Bound(double? Gt = null, double? Ge = null, double? Lt = null, double? Le = null)
{
    public bool Matches(double value) =>
        (Gt is not { } gt || value > gt) && (Ge is not { } ge || value >= ge)
        && (Lt is not { } lt || value < lt) && (Le is not { } le || value <= le);
}

/// <summary>One node of a cohort definition (see docs/research.md for the JSON form).</summary>
internal abstract record CohortCriterion
{
    /// <summary>The FHIR resource types whose data this criterion reads; consent must permit each of them.</summary>
    public abstract IEnumerable<string> ResourceTypes { get; }
}

internal sealed record AllOf(IReadOnlyList<CohortCriterion> Items) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => Items.SelectMany(i => i.ResourceTypes);
}

internal sealed record AnyOf(IReadOnlyList<CohortCriterion> Items) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => Items.SelectMany(i => i.ResourceTypes);
}

internal sealed record NotOf(CohortCriterion Item) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => Item.ResourceTypes;
}

/// <summary>Has a Condition with the code; <paramref name="Onset"/> bounds the onset date (UTC ticks).</summary>
internal sealed record ConditionCriterion(string Code, Bound? Onset) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => ["Condition"];
}

/// <summary>Has an Observation (or a component) with the code, its value and date within the bounds.</summary>
internal sealed record ObservationCriterion(string Code, Bound? Value, Bound? Date) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => ["Observation"];
}

/// <summary>Has a MedicationRequest or MedicationStatement with the medication code.</summary>
internal sealed record MedicationCriterion(string Code) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => ["MedicationRequest", "MedicationStatement"];
}

/// <summary>Age today in whole years within the bound.</summary>
internal sealed record AgeCriterion(Bound Age) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => ["Patient"];
}

internal sealed record GenderCriterion(string Gender) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => ["Patient"];
}

/// <summary>
/// The patient's telemetry of one type (heart rate, SpO2, ...), aggregated over the UTC days overlapping the window
/// that ends now, within the bound. It reads the telemetry day aggregates (<see cref="TelemetryDays"/>), which are
/// computed from the telemetry store's readings; consent-wise telemetry is Observation data (the pipeline turns it
/// into Observations), so the permit and the patients' consents must allow Observation.
/// </summary>
internal sealed record TelemetryCriterion(TelemetryType Type, string Aggregate, Bound Value, TimeSpan Window) : CohortCriterion
{
    public override IEnumerable<string> ResourceTypes => ["Observation"];
}
