using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;
using Newtonsoft.Json.Linq;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// MedTech templates over MedTech's own event payloads (which already are IoT Hub events: Body, Properties,
/// SystemProperties). Expected readings are those asserted by MedTech's CalculatedFunctionContentTemplateDocumentationTests
/// and IotJsonPathContentTemplateTests, or read from the payload files.
/// </summary>
public class MedTechExtractionTests
{
    [Fact]
    public void Extract_DocumentationHeartRate_OneReading()
    {
        var reading = Assert.Single(Extract("HeartRate_Template", "HeartRate_Payload"));
        AssertReading(reading, "heartrate", "device123", "2019-02-01T22:46:01", ("hr", "78"));
    }

    [Fact]
    public void Extract_DocumentationBloodPressure_OneReadingTwoValues()
    {
        var reading = Assert.Single(Extract("BloodPressure_Template", "BloodPressure_Payload"));
        AssertReading(reading, "bloodpressure", "device123", "2019-02-01T22:46:01", ("systolic", "123"), ("diastolic", "87"));
    }

    [Fact]
    public void Extract_DocumentationMultipleMatches_ParentScopeDeviceId()
    {
        var readings = Extract("MultipleMatches_Template", "MultipleMatches_Payload");
        Assert.Collection(
            readings,
            r => AssertReading(r, "heartrate", "device123", "2021-07-13T17:29:01", ("systolic", "120"), ("diastolic", "80")),
            r => AssertReading(r, "heartrate", "device123", "2021-07-13T17:28:01", ("systolic", "122"), ("diastolic", "82")));
    }

    [Fact]
    public void Extract_DocumentationMultipleMeasurements_TwoTypesFromOneMessage()
    {
        var readings = Extract("MultipleMeasurements_Template", "MultipleMeasurements_Payload");
        Assert.Collection(
            readings,
            r => AssertReading(r, "heartrate", "device123", "2019-02-01T22:46:01", ("hr", "78")),
            r => AssertReading(r, "stepcount", "device123", "2019-02-01T22:46:01", ("steps", "2")));
    }

    [Fact]
    public void Extract_DocumentationArrayBody_OneReadingPerElement()
    {
        var readings = Extract("HeartRate_Template", "MultipleMeasurements_FromArray_Payload");
        Assert.Collection(
            readings,
            r => AssertReading(r, "heartrate", "device123", "2019-02-01T20:46:01", ("hr", "78")),
            r => AssertReading(r, "heartrate", "device123", "2019-02-01T21:46:01", ("hr", "81")),
            r => AssertReading(r, "heartrate", "device123", "2019-02-01T22:46:01", ("hr", "72")));
    }

    [Fact]
    public void Extract_DocumentationTransformData_JmesPathConvertsInches()
    {
        var readings = Extract("TransformData_Template", "TransformData_Payload");
        Assert.Collection(
            readings,
            r =>
            {
                Assert.Equal(("heightInMeters", "2019-02-01T22:46:01"), (r.Type, Time(r)));
                Assert.Equal(1.9812, double.Parse(Assert.Single(r.Values).Value, System.Globalization.CultureInfo.InvariantCulture), 4);
            },
            r => AssertReading(r, "heightInMeters", "device123", "2019-02-01T23:46:01", ("height", "1.9304")));
    }

    [Theory]
    [InlineData("data_IotHubPayloadExample.json", "Properties", "iothub-creation-time-utc")]
    [InlineData("data_IotHubPayloadExampleMissingCreateTime.json", "SystemProperties", "iothub-enqueuedtime")]
    public void Extract_IotJsonPathContent_TimeFromCreationThenEnqueued(string payload, string section, string property)
    {
        var set = Set(MedTechDeviceContentParsingTests.InCollection("data_IotJsonPathContentTemplateValid.json"));
        var node = Node(IomtTemplateInput(payload));
        var reading = Assert.Single(set.Extract(JObject.Parse(Read(IomtTemplateInput(payload)))));
        Assert.Equal("heartrate", reading.Type);
        Assert.Equal(DateTimeOffset.Parse(node[section]![property]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), reading.OccurrenceTime);
        Assert.Equal(node["SystemProperties"]!["iothub-connection-device-id"]!.GetValue<string>(), reading.DeviceId);
        Assert.Equal([new("hr", "203")], reading.Values);
    }

    [Fact]
    public void Extract_IotJsonPathContentMultiValue_OneBloodPressureReading()
    {
        // The template MedTech's IotJsonPathContentTemplateTests builds in code, written as a file.
        var set = Set("""
            {"templateType": "CollectionContent", "template": [{"templateType": "IotJsonPathContent", "template": {
              "typeName": "bloodpressure", "typeMatchExpression": "$..[?(@Body.systolic && @Body.diastolic)]",
              "values": [{"valueName": "systolic", "valueExpression": "$.Body.systolic", "required": true},
                         {"valueName": "diastolic", "valueExpression": "$.Body.diastolic", "required": true}]}}]}
            """);
        var reading = Assert.Single(set.Extract(JObject.Parse(Read(IomtTemplateInput("data_IotHubPayloadMultiValueExample.json")))));
        Assert.Equal([new("systolic", "111"), new("diastolic", "75")], reading.Values);
        Assert.Equal(new DateTimeOffset(2019, 1, 30, 22, 45, 2, TimeSpan.Zero).AddTicks(6073744), reading.OccurrenceTime);
    }

    [Fact]
    public void Extract_IotCentralTemplates_ReadingsOfTheExportMessage()
    {
        var set = Set(Read(IomtTemplateInput("data_CollectionContentTemplateMultipleIotCentralJsonPath.json")));
        var payload = Node(IomtTemplateInput("data_IotCentralPayloadExample.json"));
        var telemetry = payload["telemetry"]!;
        var readings = set.Extract(JObject.Parse(Read(IomtTemplateInput("data_IotCentralPayloadExample.json"))));

        // The export has no HeartRate, so only respiratory rate and blood pressure match.
        Assert.Collection(
            readings,
            r => Assert.Equal([new("respiratoryrate", telemetry["RespiratoryRate"]!.ToJsonString())], r.Values),
            r => Assert.Equal(
                [new("systolic", telemetry["BloodPressure"]!["Systolic"]!.ToJsonString()), new("diastolic", telemetry["BloodPressure"]!["Diastolic"]!.ToJsonString())],
                r.Values));
        Assert.All(readings, r =>
        {
            Assert.Equal(payload["deviceId"]!.GetValue<string>(), r.DeviceId);
            Assert.Equal(DateTimeOffset.Parse(payload["enqueuedTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), r.OccurrenceTime);
        });
    }

    [Fact]
    public void Extract_RequiredValueMissing_ThrowsNamingTemplateAndValue()
    {
        var set = Set(Read(IomtTemplateInput("data_CollectionContentTemplateHrAndSteps.json")));
        var e = Assert.Throws<ReadingExtractionException>(() => set.Extract(JObject.Parse("""{"heartrate": null, "device": "d", "date": "2026-01-01T00:00:00Z"}""")));
        Assert.Equal("template[0] 'heartrate': the required value 'hr' is missing", e.Message);
    }

    [Fact]
    public void Extract_TimestampNotADate_ThrowsWithoutEchoingIt()
    {
        var set = Set(Read(IomtTemplateInput("data_CollectionContentTemplateHrAndSteps.json")));
        var e = Assert.Throws<ReadingExtractionException>(() => set.Extract(JObject.Parse("""{"heartrate": 70, "device": "d", "date": "secret-text"}""")));
        Assert.Equal("template[0] 'heartrate': the timestamp (timestampExpression) is not an ISO 8601 date and time", e.Message);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }

    private static List<ExtractedReading> Extract(string template, string payload) =>
        Set(Read(IomtTemplateInput($"data_Documentation_CalculatedFunction_{template}.json")))
            .Extract(JObject.Parse(Read(IomtTemplateInput($"data_Documentation_CalculatedFunction_{payload}.json"))));

    private static DeviceContentTemplateSet Set(string json) => DeviceContentTemplateSet.Parse(json, out _);

    private static string Time(ExtractedReading reading) =>
        reading.OccurrenceTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertReading(ExtractedReading reading, string type, string device, string time, params (string Name, string Value)[] values)
    {
        Assert.Equal(type, reading.Type);
        Assert.Equal(device, reading.DeviceId);
        Assert.Equal(time, Time(reading));
        Assert.Equal(values.Select(v => new Core.Telemetry.ReadingValue(v.Name, v.Value)), reading.Values);
    }
}
