using HealthDataSpace.Core.Telemetry;

namespace HealthDataSpace.Core.Tests.Telemetry;

public class SmokeTests
{
    [Fact]
    public void Defaults_Load_NoWarnings()
    {
        var templates = TelemetryTestData.Defaults;
        Assert.Empty(templates.Warnings);
        var n = templates.CreateNormalizer();
        var r = n.Normalize(TelemetryTestData.Json("device123", TelemetryTestData.Read(TelemetryTestData.IomtTemplateInput("data_Documentation_CalculatedFunction_HeartRate_Payload.json"))), TelemetryTestData.Now);
        Assert.Null(r.Rejection);
    }
}
