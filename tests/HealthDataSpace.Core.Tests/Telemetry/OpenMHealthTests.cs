using System.Text.Json.Nodes;
using HealthDataSpace.Core.Telemetry.Normalization;
using static HealthDataSpace.Core.Tests.Telemetry.DefaultTemplatesIomtPayloadTests;
using static HealthDataSpace.Core.Tests.Telemetry.NormalizerAssertions;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// Open mHealth test data points (openmhealth/schemas test-data) for the six data-point schemas the shipped templates
/// cover: heart-rate, oxygen-saturation, blood-pressure, step-count, body-temperature, respiratory-rate. Every
/// shouldPass document normalises to the value it holds; every shouldFail document is refused, except the few whose
/// fault is one of schema form only (listed in <see cref="SchemaOnly"/> with the reason, and asserted accepted).
/// </summary>
public class OpenMHealthTests
{
    private static readonly string[] Schemas = ["heart-rate", "oxygen-saturation", "blood-pressure", "step-count", "body-temperature", "respiratory-rate"];

    /// <summary>shouldFail cases that break the schema's form but not the reading: the gateway stores them.</summary>
    private static readonly Dictionary<string, string> SchemaOnly = new(StringComparer.Ordinal)
    {
        // Time frames are optional in version 1.0 of these schemas; a data point without one gets the message's
        // enqueued time, as an IoT Hub message without a creation time does.
        ["heart-rate/2.0/shouldFail/missing-effective-time-frame.json"] = "time frame required only from 2.0",
        ["oxygen-saturation/2.0/shouldFail/missing-effective-time-frame.json"] = "time frame required only from 2.0",
        ["body-temperature/3.0/shouldFail/missing-effective-time-frame.json"] = "time frame required only from 3.0",
        ["body-temperature/4.0/shouldFail/missing-effective-time-frame.json"] = "time frame required only from 3.0",
        ["step-count/2.0/shouldFail/step-count-only.json"] = "time frame required only from 2.0",
        ["step-count/3.0/shouldFail/step-count-only.json"] = "time frame required only from 2.0",

        // 2.0+ step counts must cover an interval; a count at a point in time is still a count.
        ["step-count/2.0/shouldFail/with-date-time.json"] = "point in time instead of an interval",
        ["step-count/3.0/shouldFail/with-date-time.json"] = "point in time instead of an interval",

        // A count written as a JSON string: MedTech reads every value as text, so "6000" is 6000.
        ["step-count/1.0/shouldFail/string-step-count-value.json"] = "number written as a string",
        ["step-count/2.0/shouldFail/string-step-count-value.json"] = "number written as a string",
        ["step-count/3.0/shouldFail/string-step-count-value.json"] = "number written as a string",

        // Faults in fields the gateway does not store: the supplemental oxygen flow unit, the activity vocabulary, and
        // 4.0's ban on a date-plus-part-of-day time frame (1.0 allows it; the date is kept).
        ["oxygen-saturation/1.0/shouldFail/invalid-oxygen-unit.json"] = "supplemental oxygen flow rate is not stored",
        ["oxygen-saturation/2.0/shouldFail/invalid-oxygen-unit.json"] = "supplemental oxygen flow rate is not stored",
        ["blood-pressure/3.1/shouldFail/invalid-pa-value.json"] = "temporal relationship to activity is not stored",
        ["blood-pressure/4.0/shouldFail/invalid-pa-value.json"] = "temporal relationship to activity is not stored",
        ["blood-pressure/4.0/shouldFail/invalid-timeframe-format.json"] = "date with part of day is allowed in 1.0",
    };

    private readonly TemplateTelemetryNormalizer _normalizer = Defaults.CreateNormalizer();

    public static TheoryData<string> ShouldPass() => Cases("shouldPass");

    public static TheoryData<string> ShouldFail() => Cases("shouldFail");

    [Theory]
    [MemberData(nameof(ShouldPass))]
    public void ShouldPass_NormalisesToItsValue(string file)
    {
        var node = Node(Path.Combine(OpenMHealthRoot, file));
        var reading = Assert.Single(_normalizer.Normalize(Json("omh-device", node.ToJsonString()), Now).Accepted());
        Assert.Equal(ExpectedTime(node), reading.OccurrenceTime);
        switch (file.Split('/')[0])
        {
            case "heart-rate":
                Assert.Equal(("heartrate", Number(node["heart_rate"]!["value"])), (reading.Type, reading.Number("hr")));
                break;
            case "oxygen-saturation":
                Assert.Equal(("spo2", Number(node["oxygen_saturation"]!["value"])), (reading.Type, reading.Number("spo2")));
                break;
            case "blood-pressure":
                Assert.Equal("bloodpressure", reading.Type);
                Assert.Equal(Number(node["systolic_blood_pressure"]!["value"]), reading.Number("systolic"));
                Assert.Equal(Number(node["diastolic_blood_pressure"]!["value"]), reading.Number("diastolic"));
                break;
            case "step-count":
                var count = node["step_count"] is JsonObject unitValue ? unitValue["value"] : node["step_count"];
                Assert.Equal(("steps", Number(count)), (reading.Type, reading.Number("steps")));
                break;
            case "body-temperature":
                var temperature = node["body_temperature"]!;
                var celsius = temperature["unit"]!.GetValue<string>() == "F" ? (Number(temperature["value"]) - 32) * 5 / 9 : Number(temperature["value"]);
                Assert.Equal("bodytemperature", reading.Type);
                Assert.Equal(celsius, reading.Number("temperature"), 9);
                break;
            case "respiratory-rate":
                Assert.Equal(("respiratoryrate", Number(node["respiratory_rate"]!["value"])), (reading.Type, reading.Number("rr")));
                break;
            default:
                Assert.Fail($"no expectation for {file}");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(ShouldFail))]
    public void ShouldFail_RejectedUnlessOnlyTheSchemaFormIsWrong(string file)
    {
        var result = _normalizer.Normalize(Json("omh-device", Read(Path.Combine(OpenMHealthRoot, file))), Now);
        if (SchemaOnly.ContainsKey(file))
        {
            Assert.Single(result.Accepted());
        }
        else
        {
            // Empty documents and unknown units (beat/min, g, mmH, G, breath/min, step) match no template.
            Assert.Equal("no device-content template matches the payload", result.Rejected());
        }
    }

    [Fact]
    public void SchemaOnlyList_NamesExistingShouldFailFiles() =>
        Assert.All(SchemaOnly.Keys, k => Assert.True(File.Exists(Path.Combine(OpenMHealthRoot, k)), k));

    [Fact]
    public void DataPointWithHeader_BodyIsNormalised()
    {
        var body = Node(Path.Combine(OpenMHealthRoot, "heart-rate/1.0/shouldPass/with-time-frame.json"));
        var dataPoint = new JsonObject { ["header"] = new JsonObject { ["id"] = "x", ["schema_id"] = new JsonObject { ["name"] = "heart-rate" } }, ["body"] = body };
        var reading = Assert.Single(_normalizer.Normalize(Json("omh-device", dataPoint.ToJsonString()), Now).Accepted());
        Assert.Equal(Number(body["heart_rate"]!["value"]), reading.Number("hr"));
    }

    /// <summary>The data point's own time (a point, else the end, start or date of its interval), else the enqueued time.</summary>
    private static DateTimeOffset ExpectedTime(JsonNode node)
    {
        var frame = node["effective_time_frame"];
        var interval = frame?["time_interval"];
        var text = frame?["date_time"] ?? interval?["end_date_time"] ?? interval?["start_date_time"] ?? interval?["date"];
        return text is null ? Now : Time(text.GetValue<string>());
    }

    private static TheoryData<string> Cases(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var schema in Schemas)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(OpenMHealthRoot, schema), "*.json", SearchOption.AllDirectories)
                .Where(f => f.Split(Path.DirectorySeparatorChar).Contains(folder)).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(OpenMHealthRoot, file).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }

        return data;
    }
}
