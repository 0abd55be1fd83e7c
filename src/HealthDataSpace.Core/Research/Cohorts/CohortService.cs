using System.Collections.Concurrent;
using System.Text.Json;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// Counts a cohort for a permit: the criteria (and the permit's own cohort, if any) over the research index, only
/// among patients whose consent permits the permit's purpose for its recipient on every resource type the criteria
/// read, with small-cell suppression. The consenting population is cached per permit and resource types, and
/// recomputed when any consent changed (or extended when new patients arrived).
/// </summary>
internal sealed class CohortService(ResearchIndex index, ConsentIndex consents, TimeProvider time, int minCellCount)
{
    public static readonly IReadOnlyList<string> Stratifiers = ["ageBand", "gender"];

    private readonly ConcurrentDictionary<string, ConsentMask> _masks = new(StringComparer.Ordinal);

    internal sealed record ConsentMask(long Generation, int Patients, PatientSet Allowed);

    public int Threshold => minCellCount;

    public CohortCount Count(DataPermit permit, JsonElement criteria, IReadOnlyList<string>? stratify)
    {
        ArgumentNullException.ThrowIfNull(permit);
        var definition = CohortCriteriaParser.Parse(criteria);
        var strata = stratify ?? [];
        foreach (var name in strata)
        {
            if (!Stratifiers.Contains(name, StringComparer.Ordinal))
            {
                throw FhirException.BadRequest($"'stratify' takes {string.Join(" and ", Stratifiers)}.");
            }
        }

        if (strata.Distinct(StringComparer.Ordinal).Count() != strata.Count)
        {
            throw FhirException.BadRequest("'stratify' names a stratifier twice.");
        }

        if (permit.Cohort is { } restriction)
        {
            definition = new AllOf([definition, CohortCriteriaParser.Parse(restriction)]);
        }

        var types = definition.ResourceTypes.Append("Patient").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var uncovered = types.Where(t => !permit.ResourceTypes.Contains(t, StringComparer.Ordinal)
                                         && !(t.StartsWith("Medication", StringComparison.Ordinal) && permit.ResourceTypes.Any(p => p.StartsWith("Medication", StringComparison.Ordinal))))
            .ToList();
        if (uncovered.Count > 0)
        {
            throw FhirException.Forbidden($"The permit does not cover the resource type(s) these criteria read: {string.Join(", ", uncovered)}.");
        }

        var now = time.GetUtcNow();
        return index.Read(view =>
        {
            var matches = CohortEvaluator.Evaluate(view, definition, now).And(Allowed(view, permit, types, now));
            return Summarise(view, matches, strata, now);
        });
    }

    private PatientSet Allowed(ResearchIndex.View view, DataPermit permit, List<string> types, DateTimeOffset now)
    {
        var key = $"{permit.Id}|{string.Join(",", types)}";
        var generation = consents.Generation;
        var mask = _masks.TryGetValue(key, out var cached) && cached.Generation == generation && cached.Patients <= view.PatientCount
            ? cached
            : null;
        var allowed = new PatientSet(view.PatientCount);
        var start = 0;
        if (mask is not null)
        {
            allowed.Or(mask.Allowed);
            start = mask.Patients;
        }

        for (var p = start; p < view.PatientCount; p++)
        {
            if (view.IsPresent(p) && Permits(view.PatientId(p), permit, types, now))
            {
                allowed.Add(p);
            }
        }

        _masks[key] = new ConsentMask(generation, view.PatientCount, allowed);
        return allowed;
    }

    private bool Permits(string patientId, DataPermit permit, List<string> types, DateTimeOffset now)
    {
        var patient = "Patient/" + patientId;
        foreach (var type in types)
        {
            if (!consents.Evaluate(new ConsentDecisionRequest(patient, permit.Purpose, permit.Recipient, type, At: now)).Permit)
            {
                return false;
            }
        }

        return true;
    }

    private CohortCount Summarise(ResearchIndex.View view, PatientSet matches, IReadOnlyList<string> stratify, DateTimeOffset now)
    {
        var total = matches.Count();
        var totalSuppressed = SmallCellSuppression.IsSmall(total, minCellCount);
        var strata = new List<CohortStratum>();
        if (stratify.Count > 0)
        {
            var cells = new SortedDictionary<string, (Dictionary<string, string> Keys, int Count)>(StringComparer.Ordinal);
            foreach (var patient in matches.Members())
            {
                var keys = stratify.ToDictionary(s => s, s => s == "ageBand" ? AgeBand(view, patient, now) : view.Gender(patient) ?? "unknown",
                    StringComparer.Ordinal);
                var id = string.Join("|", stratify.Select(s => keys[s]));
                cells[id] = cells.TryGetValue(id, out var cell) ? (cell.Keys, cell.Count + 1) : (keys, 1);
            }

            var list = cells.Values.ToList();
            var hidden = totalSuppressed ? [.. list.Select(_ => true)] : SmallCellSuppression.Strata([.. list.Select(c => c.Count)], minCellCount);
            strata.AddRange(list.Select((c, i) => new CohortStratum(c.Keys, hidden[i] ? null : c.Count, hidden[i])));
        }

        return new CohortCount(totalSuppressed ? null : total, totalSuppressed, minCellCount, strata);
    }

    /// <summary>Ten-year bands (<c>40-49</c>), <c>90+</c> at the top (HIPAA Safe Harbor groups ages over 89), or <c>unknown</c>.</summary>
    internal static string AgeBand(ResearchIndex.View view, int patient, DateTimeOffset now) =>
        CohortEvaluator.AgeOf(view, patient, now) switch
        {
            null => "unknown",
            >= 90 => "90+",
            var age => $"{age / 10 * 10}-{age / 10 * 10 + 9}",
        };
}
