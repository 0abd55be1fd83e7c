using System.Globalization;
using HealthDataSpace.Core.Research.Cohorts;

namespace HealthDataSpace.Benchmarks.Research;

/// <summary>
/// A synthetic population for the research benchmarks: seeded, so every run indexes the same people. Code frequencies
/// are skewed (a few common codes, a long tail), values are plausible, and dates span ten years.
/// </summary>
internal static class SyntheticPopulation
{
    private const string Snomed = "http://snomed.info/sct|";
    private const string Loinc = "http://loinc.org|";
    private const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm|";

    /// <summary>Indexes <paramref name="patients"/> patients; returns the number of facts.</summary>
    public static long Fill(ResearchIndex index, int patients, DateTimeOffset now, int seed)
    {
        var random = new Random(seed);
        var conditions = Enumerable.Range(0, 200).Select(i => Snomed + (100000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var observations = Enumerable.Range(0, 50).Select(i => Loinc + (2000 + i).ToString(CultureInfo.InvariantCulture) + "-0").ToArray();
        var medications = Enumerable.Range(0, 100).Select(i => RxNorm + (300000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var tenYears = TimeSpan.FromDays(3650).Ticks;
        long total = 0;
        var facts = new List<(string, CodedFact)>(64);
        for (var p = 0; p < patients; p++)
        {
            facts.Clear();
            for (var i = 0; i < 10; i++)
            {
                facts.Add(("Condition", new CodedFact(Skewed(random, conditions), now.UtcTicks - random.NextInt64(tenYears), double.NaN)));
            }

            for (var i = 0; i < 30; i++)
            {
                var code = Skewed(random, observations);
                facts.Add(("Observation", new CodedFact(code, now.UtcTicks - random.NextInt64(tenYears), 40 + (random.NextDouble() * 120))));
            }

            for (var i = 0; i < 5; i++)
            {
                facts.Add(("MedicationRequest", new CodedFact(Skewed(random, medications), now.UtcTicks - random.NextInt64(tenYears), double.NaN)));
            }

            // 30 daily heart-rate aggregates, as the telemetry pipeline's Observations would give them.
            var resting = 55 + (random.NextDouble() * 40);
            for (var day = 0; day < 10; day++)
            {
                facts.Add(("Observation", new CodedFact("http://loinc.org|8867-4", now.AddDays(-day * 3).UtcTicks, resting + (random.NextDouble() * 10))));
            }

            var birth = now.AddDays(-random.Next(0, 100 * 365)).UtcTicks;
            index.AddSynthetic("p" + p.ToString(CultureInfo.InvariantCulture), random.Next(2) == 0 ? "female" : "male", birth, facts);
            total += facts.Count;
        }

        return total;
    }

    /// <summary>Twenty cohort definitions with 3 to 5 criteria over the generated codes.</summary>
    public static IEnumerable<string> Queries()
    {
        for (var q = 0; q < 20; q++)
        {
            // Codes as Skewed hands them out (every seventh of the list), from common to rarer.
            var condition = 100000 + ((q % 7) * 7 % 200);
            var observation = 2000 + ((q % 5) * 7 % 50);
            var medication = 300000 + ((q % 9) * 7 % 100);
            var parts = new List<string>
            {
                "{\"condition\":{\"code\":\"" + Snomed + Number(condition) + "\",\"onset\":{\"ge\":\"2020-01-01\"}}}",
                "{\"observation\":{\"code\":\"" + Loinc + Number(observation) + "-0\",\"value\":{\"gt\":" + Number(100 + q) + "}}}",
                "{\"age\":{\"ge\":" + Number(20 + q) + ",\"lt\":" + Number(70 + q) + "}}",
            };
            if (q % 2 == 0)
            {
                parts.Add("{\"not\":{\"medication\":{\"code\":\"" + RxNorm + Number(medication) + "\"}}}");
            }

            if (q % 3 == 0)
            {
                parts.Add("""{"telemetry":{"type":"heart-rate","aggregate":"avg","gt":80,"window":"P30D"}}""");
            }

            yield return "{\"all\":[" + string.Join(",", parts) + "]}";
        }
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Index 0 about a third of the time, then a geometric tail: a few codes are common, most are rare.</summary>
    private static string Skewed(Random random, string[] codes)
    {
        var i = 0;
        while (i < codes.Length - 1 && random.NextDouble() < 0.7)
        {
            i++;
        }

        return codes[(int)((i * 7L) % codes.Length)];
    }
}
