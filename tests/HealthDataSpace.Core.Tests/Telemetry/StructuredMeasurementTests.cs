using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Normalization;
using HealthDataSpace.Core.Telemetry.Templates;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// gRPC structured measurements resolved against the device-content templates' type and value names
/// (the rule of MeasurementTypeIndex; docs/telemetry-templates.md "Structured measurements").
/// </summary>
public class StructuredMeasurementTests
{
    private const string Device = "dev-1";
    private static readonly DateTimeOffset At = Now.AddMinutes(-10);
    private readonly TemplateTelemetryNormalizer _normalizer = Defaults.CreateNormalizer();

    [Theory]
    [InlineData("heartrate", 72, "/min", "heartrate", "hr", 72)]
    [InlineData("HeartRate", 72, "bpm", "heartrate", "hr", 72)]
    [InlineData("spo2", 97, "%", "spo2", "spo2", 97)]
    [InlineData("steps", 120, "", "steps", "steps", 120)]
    [InlineData("bodytemperature", 36.6, "Cel", "bodytemperature", "temperature", 36.6)]
    [InlineData("bodytemperature", 98.6, "[degF]", "bodytemperature", "temperature", 37)]
    [InlineData("respiratoryrate", 14, "breaths/min", "respiratoryrate", "rr", 14)]
    public void Normalize_SingleValueType_ValueNamedAfterTemplate(string type, double value, string unit, string readingType, string valueName, double expected)
    {
        var reading = Assert.Single(_normalizer.Normalize(Measurements(Device, new DeviceMeasurement(type, value, unit, At)), Now).Accepted());
        Assert.Equal((readingType, At), (reading.Type, reading.OccurrenceTime));
        Assert.Equal(expected, reading.Number(valueName), 9);
    }

    [Theory]
    [InlineData("systolic", "diastolic")]
    [InlineData("bloodpressure-systolic", "bloodpressure-diastolic")]
    [InlineData("bloodpressure.systolic", "BloodPressure_Diastolic")]
    public void Normalize_BloodPressurePairSharingTime_OneReading(string systolicType, string diastolicType)
    {
        var readings = _normalizer.Normalize(
            Measurements(Device,
                new DeviceMeasurement(diastolicType, 80, "mmHg", At),
                new DeviceMeasurement("heartrate", 70, null, At),
                new DeviceMeasurement(systolicType, 120, "mmHg", At)),
            Now).Accepted();

        Assert.Equal(["bloodpressure", "heartrate"], readings.Select(r => r.Type));
        Assert.Equal([new("systolic", "120"), new("diastolic", "80")], readings[0].Values);
    }

    [Fact]
    public void Normalize_TwoPairsAtTwoTimes_TwoReadings()
    {
        var readings = _normalizer.Normalize(
            Measurements(Device,
                new DeviceMeasurement("systolic", 120, null, At),
                new DeviceMeasurement("systolic", 125, null, At.AddMinutes(1)),
                new DeviceMeasurement("diastolic", 80, null, At),
                new DeviceMeasurement("diastolic", 85, null, At.AddMinutes(1))),
            Now).Accepted();
        Assert.Equal([(At, 120.0, 80.0), (At.AddMinutes(1), 125.0, 85.0)], readings.Select(r => (r.OccurrenceTime, r.Number("systolic"), r.Number("diastolic"))));
    }

    [Fact]
    public void Normalize_KiloPascal_ConvertedToMillimetresOfMercury()
    {
        var reading = Assert.Single(_normalizer.Normalize(
            Measurements(Device, new DeviceMeasurement("systolic", 16, "kPa", At), new DeviceMeasurement("diastolic", 10.6, "kPa", At)), Now).Accepted());
        Assert.Equal(16 * 7.500617, reading.Number("systolic"), 6);
    }

    [Fact]
    public void Normalize_SystolicWithoutDiastolic_RejectedNamingTheMissingValue() =>
        Assert.Equal(
            "measurement 0 (bloodpressure): no 'diastolic' measurement shares its time, and bloodpressure requires it",
            _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("systolic", 120, null, At), new DeviceMeasurement("diastolic", 80, null, At.AddSeconds(1))), Now).Rejected());

    [Fact]
    public void Normalize_SameValueTwiceAtOneTime_Rejected() =>
        Assert.Equal(
            "measurement 1 (bloodpressure): 'systolic' is given twice for the same time",
            _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("systolic", 120, null, At), new DeviceMeasurement("systolic", 121, null, At)), Now).Rejected());

    [Fact]
    public void Normalize_CompositeTypeNameAlone_RejectedWithHow() =>
        Assert.StartsWith(
            "measurement 0: bloodpressure has several values; send each as its own measurement",
            _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("bloodpressure", 120, null, At)), Now).Rejected(),
            StringComparison.Ordinal);

    [Fact]
    public void Normalize_UnknownType_RejectedWithoutEchoingIt()
    {
        var reason = _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("glucose-of-jane-doe", 5, null, At)), Now).Rejected();
        Assert.Equal("measurement 0: its type is not a reading type of the device-content templates", reason);
    }

    [Theory]
    [InlineData("heartrate", "mmHg")]
    [InlineData("bodytemperature", "G")]
    public void Normalize_UnitNotUnderstood_Rejected(string type, string unit) =>
        Assert.Equal(
            $"measurement 0 ({type}): the unit is not one this gateway understands for {type}",
            _normalizer.Normalize(Measurements(Device, new DeviceMeasurement(type, 70, unit, At)), Now).Rejected());

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Normalize_NotFinite_Rejected(double value) =>
        Assert.Equal("measurement 0 (heartrate): the value is not a finite number", _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("heartrate", value, null, At)), Now).Rejected());

    [Theory]
    [InlineData("spo2", 150, "spo2 value 'spo2' is outside the possible range 0–100 %")]
    [InlineData("heartrate", 5, "heartrate value 'hr' is outside the possible range 20–300 /min")]
    [InlineData("steps", -1, "steps value 'steps' is outside the possible range 0–200000 steps")]
    public void Normalize_ImpossibleValue_Rejected(string type, double value, string expected) =>
        Assert.Equal($"reading 0 ({type}): {expected}", _normalizer.Normalize(Measurements(Device, new DeviceMeasurement(type, value, null, At)), Now).Rejected());

    [Fact]
    public void Normalize_FutureTime_Rejected() =>
        Assert.Equal(
            "reading 1 (heartrate): the reading time is more than 300 s ahead of the gateway clock",
            _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("heartrate", 70, null, At), new DeviceMeasurement("heartrate", 70, null, Now.AddMinutes(10))), Now).Rejected());

    [Fact]
    public void Normalize_NoMeasurementsOrNoType_Rejected()
    {
        Assert.Equal("the message has no measurements", _normalizer.Normalize(Measurements(Device), Now).Rejected());
        Assert.Equal("measurement 0 has no type", _normalizer.Normalize(Measurements(Device, new DeviceMeasurement(" ", 70, null, At)), Now).Rejected());
    }

    [Fact]
    public void Normalize_CustomTemplates_TypesFollowTheFile()
    {
        // A MedTech file of the user's: measurement types resolve against its names, not the shipped ones.
        var templates = TelemetryTemplateFactory.Create(
            Read(IomtValidationInput("data_CollectionContentTemplateHrAndBloodPressureValid.json")),
            Read(IomtValidationInput("data_CollectionFhirTemplateValid.json")));
        var readings = templates.CreateNormalizer().Normalize(
            Measurements(Device, new DeviceMeasurement("heartrate", 64, null, At), new DeviceMeasurement("systolic", 118, null, At), new DeviceMeasurement("diastolic", 79, null, At)),
            Now).Accepted();
        Assert.Equal([("heartrate", "hr"), ("bloodpressure", "systolic")], readings.Select(r => (r.Type, r.Values[0].Name)));
        Assert.Equal("measurement 0: its type is not a reading type of the device-content templates",
            templates.CreateNormalizer().Normalize(Measurements(Device, new DeviceMeasurement("spo2", 97, null, At)), Now).Rejected());
    }

    [Fact]
    public void Normalize_SeveralProblems_TheFirstNamedIsTheSameWithOrWithoutABloodPressurePart()
    {
        // Units are checked for every measurement before any range, whichever path the message takes (the common
        // single-value path, or the general one a blood-pressure part sends it down).
        var unitLast = new DeviceMeasurement("heartrate", 70, "kg", At);
        var implausible = new DeviceMeasurement("heartrate", 900, null, At);
        var part = new DeviceMeasurement("systolic", 120, null, At.AddMinutes(1));
        var partner = new DeviceMeasurement("diastolic", 80, null, At.AddMinutes(1));

        var single = _normalizer.Normalize(Measurements(Device, implausible, unitLast), Now).Rejected();
        var general = _normalizer.Normalize(Measurements(Device, implausible, unitLast, part, partner), Now).Rejected();
        var rangeOnly = _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("heartrate", 70, null, At), implausible), Now).Rejected();
        var rangeOnlyGeneral = _normalizer.Normalize(Measurements(Device, new DeviceMeasurement("heartrate", 70, null, At), implausible, part, partner), Now).Rejected();

        Assert.StartsWith("measurement 1 (heartrate): the unit", single, StringComparison.Ordinal);
        Assert.Equal(single, general);
        Assert.StartsWith("reading 1 (heartrate): heartrate value 'hr' is outside the possible range", rangeOnly, StringComparison.Ordinal);
        Assert.Equal(rangeOnly, rangeOnlyGeneral);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(72.0)]
    [InlineData(1023.0)]
    [InlineData(1024.0)]
    [InlineData(0.5)]
    [InlineData(97.25)]
    [InlineData(-5.0)]
    [InlineData(1e21)]
    [InlineData(0.1)]
    public void ReadingValueText_AnyNumber_SameTextAsRoundTripFormat(double value) =>
        Assert.Equal(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ReadingValueText.Format(value));

    [Fact]
    public void ReadingValueText_NegativeZero_KeepsItsSign() =>
        Assert.Equal((-0.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture), ReadingValueText.Format(-0.0));

    [Fact]
    public void Normalize_UnitConversionOverflows_SameReasonWithOrWithoutABloodPressurePart()
    {
        // 1.7e308 °F is finite, its conversion to Cel is not: both paths must word that the same way.
        var overflowing = new DeviceMeasurement("bodytemperature", 1.7e308, "[degF]", At);

        var single = _normalizer.Normalize(Measurements(Device, overflowing), Now).Rejected();
        var general = _normalizer.Normalize(Measurements(Device, overflowing,
            new DeviceMeasurement("systolic", 120, null, At), new DeviceMeasurement("diastolic", 80, null, At)), Now).Rejected();

        Assert.Contains("is not a number", single, StringComparison.Ordinal);
        Assert.Equal(general, single);
    }

    [Fact]
    public void Normalize_SameTypeStringUnderOtherTemplates_ResolvesAgainstEachTemplateSet()
    {
        // One string instance, as the gRPC reader hands out for a repeated type: the per-thread memo of resolved kinds
        // must not carry one template set's answer over to another's.
        var spo2 = new DeviceMeasurement(string.Concat("sp", "o2"), 97, "%", At);
        var custom = TelemetryTemplateFactory.Create(
            Read(IomtValidationInput("data_CollectionContentTemplateHrAndBloodPressureValid.json")),
            Read(IomtValidationInput("data_CollectionFhirTemplateValid.json"))).CreateNormalizer();

        Assert.Equal("spo2", Assert.Single(_normalizer.Normalize(Measurements(Device, spo2), Now).Accepted()).Type);
        Assert.Equal("measurement 0: its type is not a reading type of the device-content templates",
            custom.Normalize(Measurements(Device, spo2), Now).Rejected());
        Assert.Equal("spo2", Assert.Single(_normalizer.Normalize(Measurements(Device, spo2), Now).Accepted()).Type);
    }

    [Fact]
    public void Normalize_SameTypeStringUnderOtherPlausibilityRules_CheckedAgainstEachTable()
    {
        var impossible = new DeviceMeasurement(string.Concat("sp", "o2"), 150, "%", At);
        var withoutChecks = new TemplateTelemetryNormalizer(_normalizer.Templates, _normalizer.Options with { Plausibility = PlausibilityTable.None });

        Assert.StartsWith("reading 0 (spo2): spo2 value 'spo2' is outside the possible range",
            _normalizer.Normalize(Measurements(Device, impossible), Now).Rejected(), StringComparison.Ordinal);
        Assert.Equal(150, Assert.Single(withoutChecks.Normalize(Measurements(Device, impossible), Now).Accepted()).Number("spo2"));
        Assert.StartsWith("reading 0 (spo2): spo2 value 'spo2' is outside the possible range",
            _normalizer.Normalize(Measurements(Device, impossible), Now).Rejected(), StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_ManyKindsInOneMessage_EachConvertedAndCheckedByItsOwnTypeAndUnit()
    {
        // More (type, unit) pairs than the memo keeps, the same type in two units, and an impossible value on the
        // first measurement, whose kind has been pushed out by the time ranges are checked.
        var kinds = new (string Type, double Value, string Unit, string ReadingType, string ValueName, double Expected)[]
        {
            ("bodytemperature", 98.6, "[degF]", "bodytemperature", "temperature", 37),
            ("heartrate", 72, "bpm", "heartrate", "hr", 72),
            ("spo2", 97, "%", "spo2", "spo2", 97),
            ("steps", 120, "{steps}", "steps", "steps", 120),
            ("respiratoryrate", 14, "/min", "respiratoryrate", "rr", 14),
            ("bodytemperature", 36.6, "Cel", "bodytemperature", "temperature", 36.6),
            ("bodytemperature", 310.15, "K", "bodytemperature", "temperature", 37),
            ("heartrate", 64, "{beats}/min", "heartrate", "hr", 64),
            ("spo2", 95, "", "spo2", "spo2", 95),
            ("steps", 30, "count", "steps", "steps", 30),
        };
        Assert.True(kinds.Length > 8, "more pairs than the memo's slots");
        var measurements = kinds.Select(k => new DeviceMeasurement(k.Type, k.Value, k.Unit, At)).ToArray();

        var readings = _normalizer.Normalize(Measurements(Device, measurements), Now).Accepted();
        Assert.Equal(kinds.Select(k => (k.ReadingType, k.Expected)), readings.Select((r, i) => (r.Type, Math.Round(r.Number(kinds[i].ValueName), 9))));

        measurements[0] = measurements[0] with { Value = 212 };
        Assert.StartsWith("reading 0 (bodytemperature): bodytemperature value 'temperature' is outside the possible range",
            _normalizer.Normalize(Measurements(Device, measurements), Now).Rejected(), StringComparison.Ordinal);
    }
}
