namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>One stratum of a count: its keys (e.g. ageBand, gender), and its count or null when suppressed.</summary>
public sealed record CohortStratum(IReadOnlyDictionary<string, string> Keys, int? Count, bool Suppressed);

/// <summary>The answer of a cohort count: never an identifier, only (possibly suppressed) numbers.</summary>
public sealed record CohortCount(int? Count, bool Suppressed, int Threshold, IReadOnlyList<CohortStratum> Strata);
