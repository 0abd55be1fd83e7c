namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>Evaluates a cohort definition over the research index into the set of matching patients.</summary>
internal static class CohortEvaluator
{
    public static PatientSet Evaluate(ResearchIndex.View view, CohortCriterion criterion, DateTimeOffset now)
    {
        var universe = view.Present();
        return Evaluate(view, criterion, now, universe).And(universe);
    }

    private static PatientSet Evaluate(ResearchIndex.View view, CohortCriterion criterion, DateTimeOffset now, PatientSet universe)
    {
        switch (criterion)
        {
            case AllOf all:
                var result = Evaluate(view, all.Items[0], now, universe);
                foreach (var item in all.Items.Skip(1))
                {
                    result.And(Evaluate(view, item, now, universe));
                }

                return result;
            case AnyOf any:
                var union = new PatientSet(view.PatientCount);
                foreach (var item in any.Items)
                {
                    union.Or(Evaluate(view, item, now, universe));
                }

                return union;
            case NotOf not:
                return Evaluate(view, not.Item, now, universe).Not(universe);
            case ConditionCriterion condition:
                return FromFacts(view, "Condition", condition.Code, f => condition.Onset is null || (f.Ticks != 0 && condition.Onset.Matches(f.Ticks)));
            case ObservationCriterion observation:
                return FromFacts(view, "Observation", observation.Code, f =>
                    (observation.Value is null || (!double.IsNaN(f.Value) && observation.Value.Matches(f.Value)))
                    && (observation.Date is null || (f.Ticks != 0 && observation.Date.Matches(f.Ticks))));
            case MedicationCriterion medication:
                return FromFacts(view, "Medication", medication.Code, _ => true);
            case AgeCriterion age:
                return FromPatients(view, p => AgeOf(view, p, now) is { } years && age.Age.Matches(years));
            case GenderCriterion gender:
                return FromPatients(view, p => string.Equals(view.Gender(p), gender.Gender, StringComparison.Ordinal));
            case TelemetryCriterion telemetry:
                return Telemetry(view, telemetry, now);
            default:
                throw new ArgumentOutOfRangeException(nameof(criterion), criterion.GetType().Name, "Unknown cohort criterion.");
        }
    }

    /// <summary>Age in whole years at <paramref name="now"/>, or null without a birth date.</summary>
    public static int? AgeOf(ResearchIndex.View view, int patient, DateTimeOffset now)
    {
        var ticks = view.BirthTicks(patient);
        if (ticks == 0)
        {
            return null;
        }

        var birth = new DateTime(ticks, DateTimeKind.Utc);
        var today = now.UtcDateTime;
        var years = today.Year - birth.Year;
        return today.Month < birth.Month || (today.Month == birth.Month && today.Day < birth.Day) ? years - 1 : years;
    }

    private static PatientSet FromFacts(ResearchIndex.View view, string group, string code, Func<ResearchIndex.Fact, bool> matches)
    {
        var set = new PatientSet(view.PatientCount);
        foreach (var list in view.FactLists(group, code))
        {
            foreach (var fact in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list))
            {
                if (!set.Contains(fact.Patient) && view.IsAlive(fact) && matches(fact))
                {
                    set.Add(fact.Patient);
                }
            }
        }

        return set;
    }

    private static PatientSet FromPatients(ResearchIndex.View view, Func<int, bool> matches)
    {
        var set = new PatientSet(view.PatientCount);
        for (var p = 0; p < view.PatientCount; p++)
        {
            if (view.IsPresent(p) && matches(p))
            {
                set.Add(p);
            }
        }

        return set;
    }

    /// <summary>
    /// The patients whose telemetry day aggregates of the type, over the UTC days that overlap [now - window, now],
    /// give an aggregate within the bound: avg = total sum / total count, min/max over those days. No readings in the
    /// window: no match.
    /// </summary>
    private static PatientSet Telemetry(ResearchIndex.View view, TelemetryCriterion telemetry, DateTimeOffset now)
    {
        var type = telemetry.Type;
        var fromDay = TelemetryDayDelta.DayNumber(now - telemetry.Window);
        var toDay = TelemetryDayDelta.DayNumber(now);
        var patients = view.PatientCount;
        var set = new PatientSet(patients);
        var chunks = view.Telemetry.Chunks(type, fromDay, toDay);
        if (telemetry.Aggregate == "avg")
        {
            var sums = new double[patients];
            var counts = new long[patients];
            foreach (var chunk in chunks)
            {
                foreach (ref readonly var day in chunk.Span)
                {
                    if (day.Day >= fromDay && day.Day <= toDay)
                    {
                        sums[day.Patient] += day.Sum;
                        counts[day.Patient] += day.Count;
                    }
                }
            }

            for (var p = 0; p < patients; p++)
            {
                if (counts[p] > 0 && telemetry.Value.Matches(sums[p] / counts[p]))
                {
                    set.Add(p);
                }
            }

            return set;
        }

        // min or max: NaN marks a patient without a day in the window (aggregates never hold NaN).
        var max = telemetry.Aggregate == "max";
        var extremes = new double[patients];
        Array.Fill(extremes, double.NaN);
        foreach (var chunk in chunks)
        {
            foreach (ref readonly var day in chunk.Span)
            {
                if (day.Day >= fromDay && day.Day <= toDay)
                {
                    var value = max ? day.Max : day.Min;
                    ref var extreme = ref extremes[day.Patient];
                    extreme = double.IsNaN(extreme) ? value : max ? Math.Max(extreme, value) : Math.Min(extreme, value);
                }
            }
        }

        for (var p = 0; p < patients; p++)
        {
            if (!double.IsNaN(extremes[p]) && telemetry.Value.Matches(extremes[p]))
            {
                set.Add(p);
            }
        }

        return set;
    }
}
