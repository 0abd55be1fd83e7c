using System.Net;
using System.Text.Json;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>GET /telemetry/{deviceId}: filters, paging exactly once in time order, access, and ProblemDetails for bad parameters.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class TelemetryQueryTests(GatewayFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private GatewayFactory Gateway => fixture.Gateway;

    private async Task<DeviceCredentials> DeviceWithReadingsAsync()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var channel = Channel(Gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        // A day of minute-level heart rate and a reading of SpO2 every 10 minutes, sent newest first.
        var messages = Enumerable.Range(0, 1440).Select(m => Measurement(device.DeviceId, $"hr{m}", "heartrate", 60 + (m % 30), T0.AddMinutes(m)))
            .Concat(Enumerable.Range(0, 144).Select(m => Measurement(device.DeviceId, $"spo2-{m}", "spo2", 95 + (m % 4), T0.AddMinutes(m * 10))))
            .Reverse()
            .ToArray();
        var ack = await client.SendAsync(Batch("day", messages), SasHeaders(device.Sas()));
        Assert.Equal(1584, ack.Accepted);
        return device;
    }

    [Fact]
    public async Task Query_Paged_EveryReadingOnceInTimeOrder()
    {
        var device = await DeviceWithReadingsAsync();

        var all = await ReadingsAsync(Gateway, device.DeviceId, "?_count=97");
        var times = all.Select(r => r.GetProperty("time").GetDateTimeOffset()).ToList();

        Assert.Equal(1584, all.Count);
        Assert.Equal(1584, all.Select(r => r.GetProperty("messageId").GetString()).Distinct().Count());
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task Query_TypeAndRange_OnlyThose()
    {
        var device = await DeviceWithReadingsAsync();

        var spo2 = await ReadingsAsync(Gateway, device.DeviceId, "?type=spo2&from=2024-03-01T01:00:00Z&to=2024-03-01T02:00:00Z");

        Assert.Equal(6, spo2.Count);
        Assert.All(spo2, r => Assert.Equal("spo2", r.GetProperty("type").GetString()));
        Assert.Equal(T0.AddHours(1), spo2[0].GetProperty("time").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("?from=yesterday")]
    [InlineData("?to=2024-13-45")]
    [InlineData("?from=2024-03-02&to=2024-03-01")]
    [InlineData("?_count=0")]
    [InlineData("?_count=many")]
    [InlineData("?_count=1000000")]
    [InlineData("?cursor=not-a-cursor")]
    public async Task Query_BadParameter_400ProblemDetails(string query)
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var client = Gateway.CreateClientFor(GatewayRoles.Hospital);

        using var response = await client.GetAsync(new Uri($"/telemetry/{device.DeviceId}{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Query_OtherHospitalOrDeviceRole_Refused_StewardAllowed()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var other = Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-b");
        using var deviceRole = Gateway.CreateClientFor(GatewayRoles.Device, "edge-1");
        using var steward = Gateway.CreateClientFor(GatewayRoles.Steward, "steward-console");

        using var asOther = await other.GetAsync(new Uri($"/telemetry/{device.DeviceId}", UriKind.Relative));
        using var asDevice = await deviceRole.GetAsync(new Uri($"/telemetry/{device.DeviceId}", UriKind.Relative));
        using var asSteward = await steward.GetAsync(new Uri($"/telemetry/{device.DeviceId}", UriKind.Relative));
        using var unknown = await steward.GetAsync(new Uri("/telemetry/never-registered", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, asOther.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asDevice.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asSteward.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
