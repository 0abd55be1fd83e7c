using System.Text;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Templates;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>Bad JSON messages are refused whole, with a reason that names the problem and never a payload value.</summary>
public class NormalizerRejectionTests
{
    private const string Device = "dev-1";
    private readonly Core.Telemetry.Normalization.TemplateTelemetryNormalizer _normalizer = Defaults.CreateNormalizer();

    [Theory]
    [InlineData("{\"heartRate\": 72, \"endDate\": \"2026-01-15T11:00:00Z\"", "malformed JSON")]
    [InlineData("{'heartRate': 72}", "malformed JSON")]
    [InlineData("{heartRate: 72}", "malformed JSON")]
    [InlineData("{\"heartRate\": 72} trailing", "malformed JSON")]
    [InlineData("", "the payload is empty")]
    [InlineData("   ", "malformed JSON")]
    public void Normalize_MalformedJson_Rejected(string payload, string expected) =>
        Assert.StartsWith(expected, _normalizer.Normalize(Json(Device, payload), Now).Rejected(), StringComparison.Ordinal);

    [Fact]
    public void Normalize_MalformedJson_ReasonHasPositionNotContent()
    {
        var reason = _normalizer.Normalize(Json(Device, "{\"heartRate\": SECRET}"), Now).Rejected();
        Assert.Equal("malformed JSON (line 1, byte 15)", reason);
    }

    [Fact]
    public void Normalize_InvalidUtf8_Rejected()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"heartRate\": 72, \"note\": \"x\"}");
        bytes[^3] = 0xFF;
        var message = new DeviceMessage(Device, "m1", Now, bytes, null, new Dictionary<string, string>());
        Assert.Equal("the payload is not valid UTF-8", _normalizer.Normalize(message, Now).Rejected());
    }

    [Fact]
    public void Normalize_TooDeep_Rejected()
    {
        var json = new string('[', 100) + new string(']', 100);
        Assert.StartsWith("malformed JSON", _normalizer.Normalize(Json(Device, json), Now).Rejected(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{\"temperatureOfTheRoom\": 21}")]
    public void Normalize_NoTemplateMatches_Rejected(string payload) =>
        Assert.Equal("no device-content template matches the payload", _normalizer.Normalize(Json(Device, payload), Now).Rejected());

    [Fact]
    public void Normalize_RequiredValueEmpty_RejectedNamingTemplateAndValue() =>
        Assert.Equal(
            "template[3] 'bloodpressure': the required value 'systolic' is missing",
            _normalizer.Normalize(Json(Device, """{"systolic": "", "diastolic": 80, "endDate": "2026-01-15T11:00:00Z"}"""), Now).Rejected());

    [Fact]
    public void Normalize_ValueIsAnObject_Rejected() =>
        Assert.Equal(
            "template[0] 'heartrate': value 'hr' selected an object or array, not a single value",
            _normalizer.Normalize(Json(Device, """{"heartRate": {"bpm": 70}, "endDate": "2026-01-15T11:00:00Z"}"""), Now).Rejected());

    [Theory]
    [InlineData("heartRate", "150000", "heartrate value 'hr' is outside the possible range 20–300 /min")]
    [InlineData("heartRate", "12", "heartrate value 'hr' is outside the possible range 20–300 /min")]
    [InlineData("heartRate", "\"fast\"", "heartrate value 'hr' is not a number")]
    [InlineData("oxygenSaturation", "150", "spo2 value 'spo2' is outside the possible range 0–100 %")]
    [InlineData("oxygenSaturation", "-1", "spo2 value 'spo2' is outside the possible range 0–100 %")]
    [InlineData("steps", "-5", "steps value 'steps' is outside the possible range 0–200000 steps")]
    [InlineData("bodyTemperature", "98.6", "bodytemperature value 'temperature' is outside the possible range 25–45 Cel")]
    [InlineData("respiratoryRate", "0", "respiratoryrate value 'rr' is outside the possible range 4–80 /min")]
    public void Normalize_ImpossibleValue_Rejected(string field, string value, string expected)
    {
        var reason = _normalizer.Normalize(Json(Device, $$"""{"{{field}}": {{value}}, "endDate": "2026-01-15T11:00:00Z"}"""), Now).Rejected();
        Assert.EndsWith(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_ImpossibleValue_ReasonDoesNotEchoIt()
    {
        var reason = _normalizer.Normalize(Json(Device, """{"heartRate": 98765, "endDate": "2026-01-15T11:00:00Z"}"""), Now).Rejected();
        Assert.DoesNotContain("98765", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(350, 80, "bloodpressure value 'systolic' is outside the possible range 40–300 mmHg")]
    [InlineData(120, 5, "bloodpressure value 'diastolic' is outside the possible range 20–200 mmHg")]
    [InlineData(80, 120, "bloodpressure: systolic is not above diastolic")]
    public void Normalize_ImpossibleBloodPressure_Rejected(int systolic, int diastolic, string expected) =>
        Assert.EndsWith(expected, _normalizer.Normalize(Json(Device, $$"""{"systolic": {{systolic}}, "diastolic": {{diastolic}}, "endDate": "2026-01-15T11:00:00Z"}"""), Now).Rejected(), StringComparison.Ordinal);

    [Fact]
    public void Normalize_OneImpossibleReadingAmongGoodOnes_WholeMessageRejected()
    {
        var payload = """[{"heartRate": 70, "endDate": "2026-01-15T11:00:00Z"}, {"heartRate": 700, "endDate": "2026-01-15T11:01:00Z"}]""";
        Assert.EndsWith("heartrate value 'hr' is outside the possible range 20–300 /min", _normalizer.Normalize(Json(Device, payload), Now).Rejected(), StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_TimeBeyondSkew_Rejected()
    {
        var payload = $$"""{"heartRate": 70, "endDate": "{{Now.AddMinutes(6):O}}"}""";
        Assert.Equal("template[0] 'heartrate': the reading time is more than 300 s ahead of the gateway clock", _normalizer.Normalize(Json(Device, payload), Now).Rejected());
    }

    [Fact]
    public void Normalize_TimeWithinSkew_Accepted()
    {
        var payload = $$"""{"heartRate": 70, "endDate": "{{Now.AddMinutes(4):O}}"}""";
        Assert.Equal(Now.AddMinutes(4), Assert.Single(_normalizer.Normalize(Json(Device, payload), Now).Accepted()).OccurrenceTime);
    }

    [Fact]
    public void Normalize_SkewConfigured_AppliesConfiguredSkew()
    {
        var normalizer = TelemetryTemplateFactory.Load(new TelemetryTemplateOptions { MaxFutureSkewSeconds = 30 }).CreateNormalizer();
        var payload = $$"""{"heartRate": 70, "endDate": "{{Now.AddMinutes(1):O}}"}""";
        Assert.Equal("template[0] 'heartrate': the reading time is more than 30 s ahead of the gateway clock", normalizer.Normalize(Json(Device, payload), Now).Rejected());
        Assert.Single(normalizer.Normalize(Json(Device, payload), Now.AddSeconds(31)).Accepted());
    }

    [Fact]
    public void Normalize_PlausibilityOff_ImpossibleValueAccepted()
    {
        var normalizer = TelemetryTemplateFactory.Load(new TelemetryTemplateOptions { CheckPlausibility = false }).CreateNormalizer();
        var reading = Assert.Single(normalizer.Normalize(Json(Device, """{"oxygenSaturation": 150, "endDate": "2026-01-15T11:00:00Z"}"""), Now).Accepted());
        Assert.Equal("150", reading.Values[0].Value);
    }

    [Fact]
    public void Normalize_PayloadNamesOtherDevice_RejectedUnlessAllowed()
    {
        var payload = """{"heartRate": 70, "deviceId": "someone-else", "endDate": "2026-01-15T11:00:00Z"}""";
        var reason = _normalizer.Normalize(Json(Device, payload), Now).Rejected();
        Assert.Equal("template[0] 'heartrate': the payload names a device other than the sender", reason);

        var lenient = TelemetryTemplateFactory.Load(new TelemetryTemplateOptions { RequirePayloadDeviceMatch = false }).CreateNormalizer();
        Assert.Single(lenient.Normalize(Json(Device, payload), Now).Accepted());
    }

    [Fact]
    public void Normalize_TooManyReadings_Rejected()
    {
        var normalizer = TelemetryTemplateFactory.Load(new TelemetryTemplateOptions { MaxReadingsPerMessage = 2 }).CreateNormalizer();
        var payload = "[" + string.Join(",", Enumerable.Range(0, 3).Select(i => $$"""{"heartRate": 70, "endDate": "2026-01-15T11:0{{i}}:00Z"}""")) + "]";
        Assert.Equal("the payload holds more than 2 readings", normalizer.Normalize(Json(Device, payload), Now).Rejected());
    }

    [Fact]
    public void Normalize_TimeWithoutOffset_ReadAsUtc()
    {
        var reading = Assert.Single(_normalizer.Normalize(Json(Device, """{"heartRate": 70, "endDate": "2026-01-15T11:00:00"}"""), Now).Accepted());
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 11, 0, 0, TimeSpan.Zero), reading.OccurrenceTime);
    }

    [Theory]
    [InlineData("12:00:00")]
    [InlineData("yesterday")]
    public void Normalize_TimeWithoutDate_Rejected(string time) =>
        Assert.Equal(
            "template[0] 'heartrate': the timestamp (timestampExpression) is not an ISO 8601 date and time",
            _normalizer.Normalize(Json(Device, $$"""{"heartRate": 70, "endDate": "{{time}}"}"""), Now).Rejected());
}
