using System.Globalization;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Telemetry.Normalization;
using static HealthDataSpace.Core.Tests.Telemetry.DefaultTemplatesIomtPayloadTests;
using static HealthDataSpace.Core.Tests.Telemetry.NormalizerAssertions;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// The shipped default templates over real vendor API responses (openmhealth/shimmer test resources): Fitbit intraday
/// heart rate and steps, Fitbit daily steps, iHealth blood pressure and SpO2 with their pulse. Expected readings are
/// read from the files; iHealth times are also checked against the instant shimmer's own tests assert.
/// </summary>
public class DefaultTemplatesWearableTests
{
    private const string Device = "wearable-1";
    private readonly TemplateTelemetryNormalizer _normalizer = Defaults.CreateNormalizer();

    [Fact]
    public void FitbitIntradayHeartRate_OneReadingPerMinute()
    {
        var path = Shimmer("fitbit", "fitbit-activities-heart-1d-1m-intraday.json");
        var node = Node(path);
        var date = node["activities-heart"]![0]!["dateTime"]!.GetValue<string>();
        var dataset = node["activities-heart-intraday"]!["dataset"]!.AsArray();

        var readings = _normalizer.Normalize(Json(Device, Read(path)), Now).Accepted();

        Assert.All(readings, r => Assert.Equal("heartrate", r.Type));
        Assert.Equal(dataset.Select(d => Time($"{date}T{d!["time"]!.GetValue<string>()}Z")), readings.Select(r => r.OccurrenceTime));
        Assert.Equal(dataset.Select(d => Number(d!["value"])), readings.Select(r => r.Number("hr")));
    }

    [Fact]
    public void FitbitIntradaySteps_PerMinuteReadingsAndTheDailyTotal()
    {
        var path = Shimmer("fitbit", "fitbit-activities-steps-1d-1m-intraday.json");
        var node = Node(path);
        var daily = node["activities-steps"]![0]!;
        var dataset = node["activities-steps-intraday"]!["dataset"]!.AsArray();

        var readings = _normalizer.Normalize(Json(Device, Read(path)), Now).Accepted();

        var steps = readings.Where(r => r.Type == "steps").ToList();
        Assert.Equal(dataset.Select(d => Number(d!["value"])), steps.Select(r => r.Number("steps")));
        Assert.Equal(dataset.Select(d => Time($"{daily["dateTime"]!.GetValue<string>()}T{d!["time"]!.GetValue<string>()}Z")), steps.Select(r => r.OccurrenceTime));
        var total = Assert.Single(readings, r => r.Type == "stepsdaily");
        Assert.Equal((Time(daily["dateTime"]!.GetValue<string>()), Number(daily["value"])), (total.OccurrenceTime, total.Number("steps")));
        Assert.Equal(dataset.Count + 1, readings.Count);
    }

    [Fact]
    public void FitbitStepsTimeSeries_OneDailyTotalPerDay()
    {
        var path = Shimmer("fitbit", "fitbit-activities-steps-timeseries.json");
        var days = Node(path)["activities-steps"]!.AsArray();
        var readings = _normalizer.Normalize(Json(Device, Read(path)), Now).Accepted();
        Assert.All(readings, r => Assert.Equal("stepsdaily", r.Type));
        Assert.Equal(days.Select(d => (Time(d!["dateTime"]!.GetValue<string>()), Number(d["value"]))), readings.Select(r => (r.OccurrenceTime, r.Number("steps"))));
    }

    [Fact]
    public void IHealthBloodPressure_ReadingsAndPulseAtLocalTime()
    {
        var path = Shimmer("ihealth", "ihealth-bp.json");
        var list = Node(path)["BPDataList"]!.AsArray();
        var readings = _normalizer.Normalize(Json(Device, Read(path)), Now).Accepted();

        var pressures = readings.Where(r => r.Type == "bloodpressure").ToList();
        Assert.Equal(list.Select(e => (Number(e!["HP"]), Number(e["LP"]), LocalTime(e))), pressures.Select(r => (r.Number("systolic"), r.Number("diastolic"), r.OccurrenceTime)));
        var pulses = readings.Where(r => r.Type == "heartrate").ToList();
        Assert.Equal(list.Where(e => Number(e!["HR"]) > 0).Select(e => (Number(e!["HR"]), LocalTime(e))), pulses.Select(r => (r.Number("hr"), r.OccurrenceTime)));

        // shimmer's IHealthBloodPressureDataPointMapperUnitTests: the first reading is at 2015-09-17T12:04:23-08:00.
        Assert.Equal(DateTimeOffset.Parse("2015-09-17T12:04:23-08:00", CultureInfo.InvariantCulture), pressures[0].OccurrenceTime);
    }

    [Fact]
    public void IHealthBloodPressureInKiloPascal_ConvertedToMillimetresOfMercury()
    {
        // The same response with BPUnit 1 (kPa), iHealth's other unit.
        var node = Node(Shimmer("ihealth", "ihealth-bp.json")).AsObject();
        node["BPUnit"] = 1;
        foreach (var entry in node["BPDataList"]!.AsArray())
        {
            entry!["HP"] = 16;
            entry["LP"] = 10.5;
        }

        var pressures = _normalizer.Normalize(Json(Device, node.ToJsonString()), Now).Accepted().Where(r => r.Type == "bloodpressure").ToList();
        Assert.Equal(2, pressures.Count);
        Assert.All(pressures, p => Assert.Equal((16 * 7.500617, 10.5 * 7.500617), (p.Number("systolic"), p.Number("diastolic"))));
    }

    [Fact]
    public void IHealthSpO2_ReadingsAndPulse()
    {
        var path = Shimmer("ihealth", "ihealth-spo2.json");
        var list = Node(path)["BODataList"]!.AsArray();
        var readings = _normalizer.Normalize(Json(Device, Read(path)), Now).Accepted();
        Assert.Equal(list.Select(e => (Number(e!["BO"]), LocalTime(e))), readings.Where(r => r.Type == "spo2").Select(r => (r.Number("spo2"), r.OccurrenceTime)));
        Assert.Equal(list.Select(e => Number(e!["HR"])), readings.Where(r => r.Type == "heartrate").Select(r => r.Number("hr")));
    }

    [Theory]
    [InlineData("ihealth-spo2-no-heart-rate.json", "spo2")]
    [InlineData("ihealth-bp-no-heart-rate.json", "bloodpressure")]
    public void IHealthWithoutPulse_NoHeartRateReading(string file, string type)
    {
        var readings = _normalizer.Normalize(Json(Device, Read(Shimmer("ihealth", file))), Now).Accepted();
        Assert.Equal(type, Assert.Single(readings).Type);
    }

    [Theory]
    [InlineData("ihealth-spo2-no-oxygen-saturation.json")]
    [InlineData("ihealth-spo2-empty.json")]
    [InlineData("ihealth-bp-empty.json")]
    public void IHealthWithNothingMeasured_Rejected(string file) =>
        Assert.Equal("no device-content template matches the payload", _normalizer.Normalize(Json(Device, Read(Shimmer("ihealth", file))), Now).Rejected());

    /// <summary>iHealth's MDate counts the wall clock of TimeZone as if it were UTC.</summary>
    private static DateTimeOffset LocalTime(JsonNode? entry)
    {
        var zone = entry!["TimeZone"]!.GetValue<string>();
        var offset = TimeSpan.ParseExact(zone[1..], "hhmm", CultureInfo.InvariantCulture) * (zone[0] == '-' ? -1 : 1);
        var wall = DateTime.SpecifyKind(DateTime.UnixEpoch.AddSeconds(entry["MDate"]!.GetValue<long>()), DateTimeKind.Unspecified);
        return new DateTimeOffset(wall, offset);
    }
}
