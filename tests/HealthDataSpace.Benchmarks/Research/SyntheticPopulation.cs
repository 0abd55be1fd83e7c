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

    /// <summary>
    /// Indexes <paramref name="patients"/> patients: 10 conditions, 30 observations with values and 5 medications each,
    /// and for two in three (wearers) a month of daily heart-rate aggregates, for half of those daily step aggregates
    /// too, with a day missing now and then. Returns the number of facts and of telemetry day aggregates.
    /// </summary>
    public static (long Facts, long TelemetryDays) Fill(ResearchIndex index, int patients, DateTimeOffset now, int seed)
    {
        var random = new Random(seed);
        var conditions = Enumerable.Range(0, 200).Select(i => Snomed + (100000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var observations = Enumerable.Range(0, 50).Select(i => Loinc + (2000 + i).ToString(CultureInfo.InvariantCulture) + "-0").ToArray();
        var medications = Enumerable.Range(0, 100).Select(i => RxNorm + (300000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var heartRate = TelemetryTypes.All.Single(t => t.Name == "heart-rate");
        var steps = TelemetryTypes.All.Single(t => t.Name == "steps");
        var today = TelemetryDayDelta.DayNumber(now);
        var tenYears = TimeSpan.FromDays(3650).Ticks;
        long facts = 0;
        long telemetryDays = 0;
        var list = new List<(string, CodedFact)>(64);
        var days = new List<TelemetryDayDelta>(64);
        for (var p = 0; p < patients; p++)
        {
            list.Clear();
            for (var i = 0; i < 10; i++)
            {
                list.Add(("Condition", new CodedFact(Skewed(random, conditions), now.UtcTicks - random.NextInt64(tenYears), double.NaN)));
            }

            for (var i = 0; i < 30; i++)
            {
                var code = Skewed(random, observations);
                list.Add(("Observation", new CodedFact(code, now.UtcTicks - random.NextInt64(tenYears), 40 + (random.NextDouble() * 120))));
            }

            for (var i = 0; i < 5; i++)
            {
                list.Add(("MedicationRequest", new CodedFact(Skewed(random, medications), now.UtcTicks - random.NextInt64(tenYears), double.NaN)));
            }

            var id = "p" + p.ToString(CultureInfo.InvariantCulture);
            var birth = now.AddDays(-random.Next(0, 100 * 365)).UtcTicks;
            index.AddSynthetic(id, random.Next(2) == 0 ? "female" : "male", birth, list);
            facts += list.Count;

            days.Clear();
            if (random.Next(3) < 2)
            {
                var resting = 55 + (random.NextDouble() * 40);
                var walker = random.Next(2) == 0;
                var pace = 2000 + (random.NextDouble() * 12000);
                for (var day = 0; day < 30; day++)
                {
                    if (random.Next(10) == 0)
                    {
                        continue;
                    }

                    // A day of 5-second heart rate while worn, and minute step counts while awake, as a watch sends them.
                    var beats = 8000 + random.Next(9000);
                    var mean = resting + (random.NextDouble() * 10);
                    days.Add(new TelemetryDayDelta(id, heartRate, today - day, beats, mean * beats, mean - 15 - (random.NextDouble() * 10),
                        mean + 30 + (random.NextDouble() * 60)));
                    if (walker)
                    {
                        var minutes = 600 + random.Next(600);
                        days.Add(new TelemetryDayDelta(id, steps, today - day, minutes, pace * (0.5 + random.NextDouble()), 0, 60 + random.Next(140)));
                    }
                }

                index.AddTelemetry(days);
                telemetryDays += days.Count;
            }
        }

        return (facts, telemetryDays);
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
            else if (q % 6 == 1)
            {
                parts.Add("""{"telemetry":{"type":"steps","aggregate":"max","ge":150,"window":"P14D"}}""");
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
