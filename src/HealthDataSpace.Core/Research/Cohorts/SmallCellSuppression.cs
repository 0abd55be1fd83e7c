namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// Which counts may be shown. A count from 1 to <c>k - 1</c> is suppressed (0 is shown: it reveals no person). Among
/// strata that add up to a shown total, suppressing one cell alone is not enough — total minus the others gives it
/// back — so further cells are suppressed, smallest first, until the suppressed cells together hold at least k
/// patients (complementary suppression): what can be recovered is then only a group of k or more.
/// </summary>
internal static class SmallCellSuppression
{
    public static bool IsSmall(int count, int k) => count > 0 && count < k;

    /// <summary>Returns, per cell, whether it must be suppressed, given that the total is shown.</summary>
    public static bool[] Strata(IReadOnlyList<int> counts, int k)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var suppressed = counts.Select(c => IsSmall(c, k)).ToArray();
        if (!suppressed.Contains(true))
        {
            return suppressed;
        }

        var hidden = counts.Where((c, i) => suppressed[i]).Sum();
        while (hidden < k)
        {
            var next = Enumerable.Range(0, counts.Count)
                .Where(i => !suppressed[i] && counts[i] > 0)
                .OrderBy(i => counts[i])
                .Select(i => (int?)i)
                .FirstOrDefault();
            if (next is null)
            {
                break;
            }

            suppressed[next.Value] = true;
            hidden += counts[next.Value];
        }

        return suppressed;
    }
}
