using System.Text;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Observations;
using HealthDataSpace.Core.Telemetry.Templates;
using Hl7.Fhir.Model;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// Readings to Observations with the shipped FHIR templates and small custom ones: one Observation per reading
/// (periodInterval 0), hourly and daily SampledData (slot i covers [start + i·period, start + (i+1)·period), "E" where
/// empty, latest value per slot: MedTech's SampledDataProcessor), correlation groups, and merging into stored
/// Observations with idempotent reprocessing.
/// </summary>
public class ObservationMapperTests
{
    private static readonly TelemetrySubject Subject = new("dev-1", "Device/d1", "Patient/p1");
    private static readonly DateTimeOffset Hour = new(2026, 1, 15, 11, 0, 0, TimeSpan.Zero);
    private readonly TemplateObservationMapper _mapper = Defaults.CreateObservationMapper();

    [Fact]
    public void Map_BloodPressure_OneFinalObservationPerReading()
    {
        var at = Hour.AddMinutes(30);
        var draft = Assert.Single(_mapper.Map(Subject, [new NormalizedReading("bloodpressure", at, [new("systolic", "120"), new("diastolic", "80")])]));
        var observation = draft.Observation;

        Assert.Equal(("urn:healthdataspace:telemetry", "dev-1.bloodpressure.instant.20260115T113000Z"), (draft.IdentifierSystem, draft.IdentifierValue));
        Assert.Equal(draft.IdentifierValue, Assert.Single(observation.Identifier).Value);
        Assert.Equal(ObservationStatus.Final, observation.Status);
        Assert.Equal(("Patient/p1", "Device/d1"), (observation.Subject.Reference, observation.Device.Reference));
        Assert.Equal("2026-01-15T11:30:00Z", Assert.IsType<FhirDateTime>(observation.Effective).Value);
        Assert.Contains(observation.Code.Coding, c => c is { System: "http://loinc.org", Code: "85354-9" });
        Assert.Contains(observation.Category.SelectMany(c => c.Coding), c => c.Code == "vital-signs");
        Assert.Collection(
            observation.Component,
            c => AssertComponent(c, "8480-6", 120m),
            c => AssertComponent(c, "8462-4", 80m));

        static void AssertComponent(Observation.ComponentComponent component, string loinc, decimal value)
        {
            Assert.Contains(component.Code.Coding, c => c is { System: "http://loinc.org" } && c.Code == loinc);
            var quantity = Assert.IsType<Quantity>(component.Value);
            Assert.Equal((value, "mm[Hg]", "http://unitsofmeasure.org"), (quantity.Value, quantity.Code, quantity.System));
        }
    }

    [Fact]
    public void Map_HeartRateAcrossTwoHours_HourlySampledData()
    {
        var readings = new[]
        {
            HeartRate(Hour, "70"),
            HeartRate(Hour.AddSeconds(7), "71"),
            HeartRate(Hour.AddMinutes(59).AddSeconds(58), "72"),
            HeartRate(Hour.AddHours(1).AddSeconds(3), "73"),
        };
        var drafts = _mapper.Map(Subject, readings).OrderBy(d => d.IdentifierValue, StringComparer.Ordinal).ToList();

        Assert.Equal(["dev-1.heartrate.hour.20260115T110000Z", "dev-1.heartrate.hour.20260115T120000Z"], drafts.Select(d => d.IdentifierValue));
        var period = Assert.IsType<Period>(drafts[0].Observation.Effective);
        Assert.Equal(("2026-01-15T11:00:00Z", "2026-01-15T11:59:59.999Z"), (period.Start, period.End));

        var sampled = Assert.IsType<SampledData>(drafts[0].Observation.Value);
        Assert.Equal((5000m, 1, 0m, "/min"), (sampled.Period!.Value, sampled.Dimensions!.Value, sampled.Origin.Value!.Value, sampled.Origin.Unit));
        var data = sampled.Data.Split(' ');
        Assert.Equal(3600 / 5, data.Length);
        Assert.Equal(("70", "71", "72"), (data[0], data[7 / 5], data[((59 * 60) + 58) / 5]));
        Assert.Equal(3, data.Count(d => d != "E"));
        Assert.Equal("73", ((SampledData)drafts[1].Observation.Value).Data.Split(' ')[3 / 5]);
    }

    [Fact]
    public void Map_TwoReadingsInOneSlot_LaterWins_SameTimeFirstKept()
    {
        var sampled = (SampledData)Assert.Single(_mapper.Map(Subject,
        [
            HeartRate(Hour.AddSeconds(3), "81"),
            HeartRate(Hour.AddSeconds(1), "80"),
            HeartRate(Hour.AddSeconds(10), "90"),
            HeartRate(Hour.AddSeconds(10), "91"),
        ])).Observation.Value;
        var data = sampled.Data.Split(' ');
        Assert.Equal(("81", "E", "90"), (data[0], data[1], data[2]));
    }

    [Fact]
    public void Map_OutOfOrderWithSameInstantApart_SortedAndFirstArrivalKept()
    {
        var sampled = (SampledData)Assert.Single(_mapper.Map(Subject,
        [
            HeartRate(Hour.AddSeconds(10), "90"),
            HeartRate(Hour.AddSeconds(3), "81"),
            HeartRate(Hour.AddSeconds(10), "91"),
            HeartRate(Hour.AddSeconds(1), "80"),
        ])).Observation.Value;
        var data = sampled.Data.Split(' ');
        Assert.Equal(("81", "E", "90"), (data[0], data[1], data[2]));
    }

    [Fact]
    public void Map_ReadingsWithOffsets_GroupedByUtcHour()
    {
        var plusTwo = TimeSpan.FromHours(2);
        var drafts = _mapper.Map(Subject,
        [
            HeartRate(Hour.AddMinutes(5), "70"),
            new NormalizedReading("heartrate", new DateTimeOffset(2026, 1, 15, 13, 10, 0, plusTwo), [new("hr", "71")]),
            new NormalizedReading("heartrate", new DateTimeOffset(2026, 1, 15, 14, 0, 0, plusTwo), [new("hr", "72")]),
        ]).OrderBy(d => d.IdentifierValue, StringComparer.Ordinal).ToList();

        Assert.Equal(["dev-1.heartrate.hour.20260115T110000Z", "dev-1.heartrate.hour.20260115T120000Z"], drafts.Select(d => d.IdentifierValue));
        var data = ((SampledData)drafts[0].Observation.Value).Data.Split(' ');
        // Slots of 5 s (the shipped heart-rate template): minute 5 is slot 60, minute 10 slot 120.
        Assert.Equal(("70", "71"), (data[60], data[120]));
    }

    [Fact]
    public void Map_DailyTemplate_OneObservationPerUtcDay()
    {
        var mapper = Custom(1440, """{"valueType": "SampledData", "valueName": "v", "unit": "u", "defaultPeriod": 3600000}""");
        var day = new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);
        var drafts = mapper.Map(Subject, [Reading(day.AddMinutes(30), "1"), Reading(day.AddHours(13).AddMinutes(10), "2"), Reading(day.AddDays(1).AddHours(2), "3")])
            .OrderBy(d => d.IdentifierValue, StringComparer.Ordinal).ToList();

        Assert.Equal(["dev-1.custom.day.20260115T000000Z", "dev-1.custom.day.20260116T000000Z"], drafts.Select(d => d.IdentifierValue));
        var period = (Period)drafts[0].Observation.Effective;
        Assert.Equal(("2026-01-15T00:00:00Z", "2026-01-15T23:59:59.999Z"), (period.Start, period.End));
        var data = ((SampledData)drafts[0].Observation.Value).Data.Split(' ');
        Assert.Equal(24, data.Length);
        Assert.Equal(("1", "2"), (data[0], data[13]));
        Assert.Equal("3", ((SampledData)drafts[1].Observation.Value).Data.Split(' ')[2]);
    }

    [Fact]
    public void Map_DailyStepTotalsQuantity_FirstValueOfTheDay()
    {
        var day = new DateTimeOffset(2015, 8, 21, 0, 0, 0, TimeSpan.Zero);
        var draft = Assert.Single(_mapper.Map(Subject,
        [
            new NormalizedReading("stepsdaily", day.AddHours(5), [new("steps", "900")]),
            new NormalizedReading("stepsdaily", day, [new("steps", "3212")]),
        ]));
        Assert.Equal(3212m, Assert.IsType<Quantity>(draft.Observation.Value).Value);
        Assert.Contains(draft.Observation.Code.Coding, c => c.Code == "41950-7");
    }

    [Fact]
    public void Map_TypeWithoutFhirTemplate_NoObservation() =>
        Assert.Empty(_mapper.Map(Subject, [new NormalizedReading("height", Hour, [new("height", "1.8")])]));

    [Fact]
    public void Map_NonNumericInSampledData_WrittenAsE() =>
        Assert.Equal("E", ((SampledData)Assert.Single(_mapper.Map(Subject, [HeartRate(Hour, "fast")])).Observation.Value).Data.Split(' ')[0]);

    [Fact]
    public void Map_SameReadingsTwice_IdenticalDrafts()
    {
        var readings = new[] { HeartRate(Hour, "70"), new NormalizedReading("bloodpressure", Hour, [new("systolic", "120"), new("diastolic", "80")]) };
        var first = _mapper.Map(Subject, readings);
        var second = _mapper.Map(Subject, readings);
        Assert.Equal(first.Select(d => d.IdentifierValue), second.Select(d => d.IdentifierValue));
        Assert.All(first.Zip(second), p => Assert.True(p.First.Observation.IsExactly(p.Second.Observation)));
    }

    [Fact]
    public void Map_Observations_PassTheStrictFhirParser()
    {
        var drafts = _mapper.Map(Subject,
        [
            HeartRate(Hour, "70"),
            new NormalizedReading("bloodpressure", Hour, [new("systolic", "120"), new("diastolic", "80")]),
            new NormalizedReading("bodytemperature", Hour, [new("temperature", "36.6")]),
            new NormalizedReading("stepsdaily", Hour, [new("steps", "3212")]),
        ]);
        Assert.Equal(4, drafts.Count);
        Assert.All(drafts, d => Assert.IsType<Observation>(FhirJson.ParseResource(Encoding.UTF8.GetBytes(FhirJson.Serialize(d.Observation)), "Observation")));
    }

    [Fact]
    public void Merge_NoStoredObservation_ReturnsDraft()
    {
        var draft = Assert.Single(_mapper.Map(Subject, [HeartRate(Hour, "70")]));
        Assert.Same(draft.Observation, _mapper.Merge(null, draft));
    }

    [Fact]
    public void Merge_LaterBatchOfTheSameHour_FoldedIn_ThenIdempotent()
    {
        var first = Assert.Single(_mapper.Map(Subject, [HeartRate(Hour, "70"), HeartRate(Hour.AddMinutes(1), "71")]));
        var second = Assert.Single(_mapper.Map(Subject, [HeartRate(Hour.AddSeconds(10), "75")]));
        Assert.Equal(first.IdentifierValue, second.IdentifierValue);

        var stored = _mapper.Merge(null, first);
        var storedJson = FhirJson.Serialize(stored);
        var merged = _mapper.Merge(stored, second);

        Assert.Equal(storedJson, FhirJson.Serialize(stored));
        Assert.Equal(ObservationStatus.Amended, merged.Status);
        var data = ((SampledData)merged.Value).Data.Split(' ');
        Assert.Equal(("70", "75", "71"), (data[0], data[2], data[12]));
        Assert.Equal(3, data.Count(d => d != "E"));

        // Reprocessing either batch changes nothing: the stored Observation comes back as it was.
        Assert.Same(merged, _mapper.Merge(merged, second));
        Assert.Same(merged, _mapper.Merge(merged, first));
    }

    [Fact]
    public void Merge_NewValueForAFilledSlot_LatestWins()
    {
        var stored = _mapper.Merge(null, Assert.Single(_mapper.Map(Subject, [HeartRate(Hour, "70")])));
        var merged = _mapper.Merge(stored, Assert.Single(_mapper.Map(Subject, [HeartRate(Hour.AddSeconds(2), "72")])));
        Assert.Equal("72", ((SampledData)merged.Value).Data.Split(' ')[0]);
    }

    [Fact]
    public void Merge_SameBloodPressureAgain_Unchanged_CorrectedValueReplaces()
    {
        var reading = new NormalizedReading("bloodpressure", Hour, [new("systolic", "120"), new("diastolic", "80")]);
        var stored = _mapper.Merge(null, Assert.Single(_mapper.Map(Subject, [reading])));
        Assert.Same(stored, _mapper.Merge(stored, Assert.Single(_mapper.Map(Subject, [reading]))));

        var corrected = _mapper.Merge(stored, Assert.Single(_mapper.Map(Subject, [reading with { Values = [new("systolic", "125"), new("diastolic", "80")] }])));
        Assert.Equal(125m, ((Quantity)corrected.Component[0].Value).Value);
        Assert.Equal(ObservationStatus.Amended, corrected.Status);
    }

    [Fact]
    public void Merge_CorrelationGroup_PeriodWidens()
    {
        var mapper = Custom(-1, """{"valueType": "SampledData", "valueName": "v", "unit": "u", "defaultPeriod": 60000}""");
        var first = Assert.Single(mapper.Map(Subject, [Reading(Hour, "1", "session-7"), Reading(Hour.AddMinutes(5), "2", "session-7")]));
        Assert.Equal("dev-1.custom.correlation.session-7", first.IdentifierValue);
        Assert.Equal(("2026-01-15T11:00:00Z", "2026-01-15T11:05:00Z"), (((Period)first.Observation.Effective).Start, ((Period)first.Observation.Effective).End));
        Assert.Equal("1 E E E E 2", ((SampledData)first.Observation.Value).Data);

        var merged = mapper.Merge(mapper.Merge(null, first), Assert.Single(mapper.Map(Subject, [Reading(Hour.AddMinutes(7), "3", "session-7")])));
        Assert.Equal("2026-01-15T11:07:00Z", ((Period)merged.Effective).End);
        Assert.Equal("1 E E E E 2 E 3", ((SampledData)merged.Value).Data);
    }

    private static NormalizedReading HeartRate(DateTimeOffset time, string value) => new("heartrate", time, [new("hr", value)]);

    private static NormalizedReading Reading(DateTimeOffset time, string value, string? correlation = null) => new("custom", time, [new("v", value)], correlation);

    private static TemplateObservationMapper Custom(int periodInterval, string value) => new(Core.Telemetry.Templates.FhirMapping.FhirMappingTemplateSet.Parse($$$"""
        {"templateType": "CollectionFhir", "template": [{"templateType": "CodeValueFhir", "template": {
          "typeName": "custom", "periodInterval": {{{periodInterval}}}, "codes": [{"system": "urn:test", "code": "c"}], "value": {{{value}}} } } ] }
        """, out _));
}
