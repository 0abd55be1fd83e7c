using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>Section <c>Research</c>.</summary>
internal sealed class ResearchOptions
{
    public const string SectionName = "Research";

    /// <summary>Counts from 1 to MinCellCount - 1 are suppressed, in strata too (default 10).</summary>
    [Range(2, 1000)]
    public int MinCellCount { get; init; } = 10;
}
