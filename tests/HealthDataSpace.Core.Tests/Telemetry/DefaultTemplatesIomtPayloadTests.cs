using System.Globalization;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Telemetry;
using static HealthDataSpace.Core.Tests.Telemetry.NormalizerAssertions;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// The shipped default templates over the device payloads in MedTech's test inputs, sent as a device would: the
/// event's Body as the device JSON, its Properties as the message properties. Expected readings are read from the
/// payload files with System.Text.Json.
/// </summary>
public class DefaultTemplatesIomtPayloadTests
{
    private readonly Core.Telemetry.Normalization.TemplateTelemetryNormalizer _normalizer = Defaults.CreateNormalizer();

    [Fact]
    public void IotHubHeartRate_TimeFromCreationProperty()
    {
        var (message, node) = AsDevice("data_IotHubPayloadExample.json");
        var reading = Assert.Single(_normalizer.Normalize(message, Now).Accepted());
        Assert.Equal("heartrate", reading.Type);
        Assert.Equal(Time(node["Properties"]!["iothub-creation-time-utc"]!.GetValue<string>()), reading.OccurrenceTime);
        Assert.Equal(double.Parse(node["Body"]!["heartrate"]!.GetValue<string>(), CultureInfo.InvariantCulture), reading.Number("hr"));
    }

    [Fact]
    public void IotHubHeartRateWithoutCreationTime_TimeIsEnqueuedTime()
    {
        var (message, node) = AsDevice("data_IotHubPayloadExampleMissingCreateTime.json");
        var reading = Assert.Single(_normalizer.Normalize(message, Now).Accepted());
        Assert.Equal(Time(node["SystemProperties"]!["iothub-enqueuedtime"]!.GetValue<string>()), reading.OccurrenceTime);
    }

    [Fact]
    public void IotHubMultiValue_BloodPressureAndSteps()
    {
        var (message, node) = AsDevice("data_IotHubPayloadMultiValueExample.json");
        var readings = _normalizer.Normalize(message, Now).Accepted();
        var body = node["Body"]!;
        Assert.Equal(2, readings.Count);
        var bp = Assert.Single(readings, r => r.Type == "bloodpressure");
        Assert.Equal(Number(body["systolic"]), bp.Number("systolic"));
        Assert.Equal(Number(body["diastolic"]), bp.Number("diastolic"));
        Assert.Equal(Number(body["steps"]), Assert.Single(readings, r => r.Type == "steps").Number("steps"));
    }

    [Theory]
    [InlineData("HeartRate", "heartrate", "hr", "heartRate")]
    [InlineData("BloodPressure", "bloodpressure", "systolic", "systolic")]
    public void DocumentationPayload_ReadingFromBody(string name, string type, string valueName, string field)
    {
        var (message, node) = AsDevice($"data_Documentation_CalculatedFunction_{name}_Payload.json", "device123");
        var reading = Assert.Single(_normalizer.Normalize(message, Now).Accepted());
        Assert.Equal(type, reading.Type);
        Assert.Equal(Time(node["Body"]!["endDate"]!.GetValue<string>()), reading.OccurrenceTime);
        Assert.Equal(Number(node["Body"]![field]), reading.Number(valueName));
    }

    [Fact]
    public void DocumentationMultipleMatches_OneBloodPressurePerArrayElement()
    {
        var (message, node) = AsDevice("data_Documentation_CalculatedFunction_MultipleMatches_Payload.json", "device123");
        var readings = _normalizer.Normalize(message, Now).Accepted();
        var data = node["Body"]!["data"]!.AsArray();
        Assert.Equal(data.Count, readings.Count);
        for (var i = 0; i < data.Count; i++)
        {
            Assert.Equal(Time(data[i]!["date"]!.GetValue<string>()), readings[i].OccurrenceTime);
            Assert.Equal(Number(data[i]!["systolic"]), readings[i].Number("systolic"));
            Assert.Equal(Number(data[i]!["diastolic"]), readings[i].Number("diastolic"));
        }
    }

    [Fact]
    public void DocumentationArrayBody_OneHeartRatePerElement()
    {
        var (message, node) = AsDevice("data_Documentation_CalculatedFunction_MultipleMeasurements_FromArray_Payload.json", "device123");
        var readings = _normalizer.Normalize(message, Now).Accepted();
        Assert.Equal(node["Body"]!.AsArray().Select(e => Number(e!["heartRate"])), readings.Select(r => r.Number("hr")));
    }

    [Fact]
    public void DocumentationHeartRateAndSteps_TwoTypes()
    {
        var (message, node) = AsDevice("data_Documentation_CalculatedFunction_MultipleMeasurements_Payload.json", "device123");
        var readings = _normalizer.Normalize(message, Now).Accepted();
        Assert.Equal(["heartrate", "steps"], readings.Select(r => r.Type).Order());
        Assert.Equal(Number(node["Body"]!["steps"]), Assert.Single(readings, r => r.Type == "steps").Number("steps"));
    }

    [Fact]
    public void DocumentationHeight_NoDefaultTemplate_Rejected()
    {
        var (message, _) = AsDevice("data_Documentation_CalculatedFunction_TransformData_Payload.json", "device123");
        Assert.Equal("no device-content template matches the payload", _normalizer.Normalize(message, Now).Rejected());
    }

    [Fact]
    public void DocumentationPayloadFromAnotherDevice_Rejected()
    {
        var (message, _) = AsDevice("data_Documentation_CalculatedFunction_HeartRate_Payload.json", "not-device123");
        Assert.Equal("template[0] 'heartrate': the payload names a device other than the sender", _normalizer.Normalize(message, Now).Rejected());
    }

    [Fact]
    public void IotCentralExport_DiastolicSeven_RejectedAsImpossible()
    {
        // The simulated export carries a diastolic pressure of 7 mmHg: no living person, so the message is refused.
        var path = IomtTemplateInput("data_IotCentralPayloadExample.json");
        Assert.Equal(7, Number(Node(path)["telemetry"]!["BloodPressure"]!["Diastolic"]));
        var reason = _normalizer.Normalize(Json("1vzb5ghlsg1", Read(path)), Now).Rejected();
        Assert.EndsWith("'bloodpressure': bloodpressure value 'diastolic' is outside the possible range 20–200 mmHg", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IotCentralExportBatch_ReadingsOfTheSendingDeviceInDegreesCelsius()
    {
        var path = IomtTemplateInput("data_IotCentralPayloadExampleMultipleMessages.json");
        const string device = "1qsi9p8t5l2";
        var readings = _normalizer.Normalize(Json(device, Read(path)), Now).Accepted();

        var messages = Node(path)["Body"]!.AsArray().Where(m => m!["deviceId"]!.GetValue<string>() == device).ToList();
        Assert.Equal(messages.Count * 4, readings.Count);
        foreach (var message in messages)
        {
            var time = Time(message!["enqueuedTime"]!.GetValue<string>());
            var telemetry = message["telemetry"]!;
            var at = readings.Where(r => r.OccurrenceTime == time).ToList();
            Assert.Equal(Number(telemetry["HeartRate"]), Assert.Single(at, r => r.Type == "heartrate").Number("hr"));
            Assert.Equal(Number(telemetry["RespiratoryRate"]), Assert.Single(at, r => r.Type == "respiratoryrate").Number("rr"));
            var bp = Assert.Single(at, r => r.Type == "bloodpressure");
            Assert.Equal((Number(telemetry["BloodPressure"]!["Systolic"]), Number(telemetry["BloodPressure"]!["Diastolic"])), (bp.Number("systolic"), bp.Number("diastolic")));
            Assert.Equal((Number(telemetry["BodyTemperature"]) - 32) * 5 / 9, Assert.Single(at, r => r.Type == "bodytemperature").Number("temperature"), 9);
        }
    }

    internal static double Number(JsonNode? node) => node!.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? double.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture)
        : node.GetValue<double>();

    /// <summary>An IoT Hub event file as the device sent it: Body as payload, Properties as message properties.</summary>
    private static (DeviceMessage Message, JsonNode Node) AsDevice(string file, string? deviceId = null)
    {
        var node = Node(IomtTemplateInput(file));
        var properties = node["Properties"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        var system = node["SystemProperties"]!.AsObject();
        var enqueued = system["iothub-enqueuedtime"] is { } e ? Time(e.GetValue<string>()) : Now;
        deviceId ??= system["iothub-connection-device-id"]!.GetValue<string>();
        return (Json(deviceId, node["Body"]!.ToJsonString(), properties, enqueued), node);
    }
}
