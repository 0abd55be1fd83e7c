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
        var uncovered = types.Where(t => !permit.ResourceTypes.Contains(t, StringComparer.Ordinal)).ToList();
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

    /// <summary>
    /// The patients a dataset under the permit starts from: present, in the permit's cohort (when it has one), and whose
    /// consent permits the permit's purpose for its recipient on their Patient data now. Each of their other resources
    /// is still decided one by one by the export.
    /// </summary>
    public IReadOnlyList<string> DatasetPatients(DataPermit permit)
    {
        ArgumentNullException.ThrowIfNull(permit);
        var now = time.GetUtcNow();
        return index.Read(view =>
        {
            var members = Allowed(view, permit, "Patient", now);
            if (permit.Cohort is { } restriction)
            {
                members.And(CohortEvaluator.Evaluate(view, CohortCriteriaParser.Parse(restriction), now));
            }

            return (IReadOnlyList<string>)[.. members.Members().Select(view.PatientId)];
        });
    }

    private PatientSet Allowed(ResearchIndex.View view, DataPermit permit, List<string> types, DateTimeOffset now)
    {
        var allowed = Allowed(view, permit, types[0], now);
        foreach (var type in types.Skip(1))
        {
            allowed.And(Allowed(view, permit, type, now));
        }

        return allowed;
    }

    /// <summary>The patients whose consent permits the permit's use of one resource type, cached per permit and type.</summary>
    private PatientSet Allowed(ResearchIndex.View view, DataPermit permit, string type, DateTimeOffset now)
    {
        var key = $"{permit.Id}|{type}";
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
            if (view.IsPresent(p) && consents.Evaluate(new ConsentDecisionRequest("Patient/" + view.PatientId(p), permit.Purpose, permit.Recipient, type, At: now)).Permit)
            {
                allowed.Add(p);
            }
        }

        if (start < view.PatientCount || mask is null)
        {
            _masks[key] = new ConsentMask(generation, view.PatientCount, allowed);
        }

        // The caller ANDs into the result: hand out a copy, never the cached set itself.
        return new PatientSet(view.PatientCount).Or(allowed);
    }

    private CohortCount Summarise(ResearchIndex.View view, PatientSet matches, IReadOnlyList<string> stratify, DateTimeOffset now)
    {
        var total = matches.Count();
        var totalSuppressed = SmallCellSuppression.IsSmall(total, minCellCount);
        var strata = new List<CohortStratum>();
        // With the total suppressed, even which strata exist would tell a small group's age band and gender: none are listed.
        if (stratify.Count > 0 && !totalSuppressed)
        {
            // Count per stratum key first (cheap: one array lookup per member), build the labelled cells after.
            var cells = new Dictionary<(string Age, string Gender), int>();
            foreach (var patient in matches.Members())
            {
                var key = (stratify.Contains("ageBand") ? AgeBand(view, patient, now) : string.Empty,
                    stratify.Contains("gender") ? view.Gender(patient) ?? "unknown" : string.Empty);
                cells[key] = cells.GetValueOrDefault(key) + 1;
            }

            var list = cells.OrderBy(c => c.Key.Age, StringComparer.Ordinal).ThenBy(c => c.Key.Gender, StringComparer.Ordinal).ToList();
            var hidden = SmallCellSuppression.Strata([.. list.Select(c => c.Value)], minCellCount);
            strata.AddRange(list.Select((c, i) => new CohortStratum(
                stratify.ToDictionary(s => s, s => s == "ageBand" ? c.Key.Age : c.Key.Gender, StringComparer.Ordinal),
                hidden[i] ? null : c.Value, hidden[i])));
        }

        return new CohortCount(totalSuppressed ? null : total, totalSuppressed, minCellCount, strata);
    }

    /// <summary>Ten-year bands (<c>40-49</c>), <c>90+</c> at the top (HIPAA Safe Harbor groups ages over 89), or <c>unknown</c>.</summary>
    internal static string AgeBand(ResearchIndex.View view, int patient, DateTimeOffset now) =>
        CohortEvaluator.AgeOf(view, patient, now) is { } age ? AgeBands[Math.Clamp(age / 10, 0, 9)] : "unknown";

    private static readonly string[] AgeBands = ["0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90+"];
}
