using System.Text;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static HealthDataSpace.Gateway.Tests.Telemetry.MqttTestClient;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>The IoT Hub MQTT dialect with real clients: MQTTnet and mosquitto_pub.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class MqttIngestTests(GatewayFixture fixture)
{
    private GatewayFactory Gateway => fixture.Gateway;

    private static MqttApplicationMessage Message(string topic, string json, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(json).WithQualityOfServiceLevel(qos).Build();

    /// <summary>A wearable's own JSON in a shape the shipped device-content templates know (heartRate / spo2 with endDate).</summary>
    private static string Reading(string type, double value, string time) =>
        $"{{\"{(type == "heartrate" ? "heartRate" : type)}\":{value.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"endDate\":\"{time}\"}}";

    [Fact]
    public async Task Publish_QoS1_PubAckMeansStoredAndRetryIsDuplicate()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var client = await ConnectAsync(Gateway, device);

        var first = await client.PublishAsync(Message(EventsTopic(device.DeviceId, "%24.mid=m1&unit=bpm"), Reading("heartrate", 72, "2024-03-01T08:00:00Z")));
        // Read right after the PUBACK, without waiting: the ack promised the reading is stored.
        var afterAck = await ReadingsAsync(Gateway, device.DeviceId);
        var retry = await client.PublishAsync(Message(EventsTopic(device.DeviceId, "%24.mid=m1"), Reading("heartrate", 72, "2024-03-01T08:00:00Z")));
        var noId = await client.PublishAsync(Message(EventsTopic(device.DeviceId), Reading("heartrate", 73, "2024-03-01T08:01:00Z")));
        var noIdRetry = await client.PublishAsync(Message(EventsTopic(device.DeviceId), Reading("heartrate", 73, "2024-03-01T08:01:00Z")));
        var qos0 = await client.PublishAsync(Message(EventsTopic(device.DeviceId, "%24.mid=m3"), Reading("heartrate", 74, "2024-03-01T08:02:00Z"), MqttQualityOfServiceLevel.AtMostOnce));
        var fourth = await client.PublishAsync(Message(EventsTopic(device.DeviceId, "%24.mid=m4"), Reading("spo2", 97, "2024-03-01T08:03:00Z")));
        var all = await ReadingsAsync(Gateway, device.DeviceId);

        Assert.True(first.IsSuccess);
        Assert.Equal("m1", Assert.Single(afterAck).GetProperty("messageId").GetString());
        Assert.True(retry.IsSuccess && noId.IsSuccess && noIdRetry.IsSuccess && qos0.IsSuccess && fourth.IsSuccess);
        Assert.Equal(["72", "73", "74", "97"], all.Select(r => r.GetProperty("values")[0].GetProperty("value").GetString()));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Publish_ManyInFlightOnOneConnection_AllAckedInOrderStoredOnce_RefusedOneAnsweredAsSuch()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var client = await ConnectAsync(Gateway, device, MqttProtocolVersion.V500);
        var start = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);

        // 40 publishes without waiting for any PUBACK, the 20th unusable (SpO2 150 %), as device SDKs pipeline them.
        var publishes = Enumerable.Range(0, 40).Select(i => client.PublishAsync(i == 20
                ? Message(EventsTopic(device.DeviceId, $"%24.mid=bad-{i}"), Reading("spo2", 150, $"{start.AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ}"))
                : Message(EventsTopic(device.DeviceId, $"%24.mid=ok-{i}"), Reading("heartrate", 60 + i, $"{start.AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ}"))))
            .ToList();
        var results = await Task.WhenAll(publishes);
        var again = await client.PublishAsync(Message(EventsTopic(device.DeviceId, "%24.mid=ok-3"), Reading("heartrate", 63, $"{start.AddMinutes(3):yyyy-MM-ddTHH:mm:ssZ}")));
        var readings = await ReadingsAsync(Gateway, device.DeviceId);

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, results[20].ReasonCode);
        Assert.All(results.Where((_, i) => i != 20), r => Assert.True(r.IsSuccess));
        Assert.True(again.IsSuccess);
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 20).Select(i => $"ok-{i}"), readings.Select(r => r.GetProperty("messageId").GetString()));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Publish_ReconnectResumesPersistentSession_NewConnectionPipelinedAckedStoredOnce()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        var options = Options(Gateway, device, cleanSession: false);
        using var first = new MqttClientFactory().CreateMqttClient();
        await first.ConnectAsync(options);
        var before = await first.PublishAsync(Message(EventsTopic(device.DeviceId, "%24.mid=s-0"), Reading("heartrate", 60, "2024-03-01T11:00:00Z")));

        // The device reconnects while its first connection is still open: the new one takes the session over.
        using var second = new MqttClientFactory().CreateMqttClient();
        var resumed = await second.ConnectAsync(options);
        var after = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            second.PublishAsync(Message(EventsTopic(device.DeviceId, $"%24.mid=s-{i}"), Reading("heartrate", 60 + i, $"2024-03-01T11:{i:00}:00Z")))));
        var readings = await ReadingsAsync(Gateway, device.DeviceId);

        Assert.True(before.IsSuccess);
        Assert.True(resumed.IsSessionPresent);
        Assert.All(after, r => Assert.True(r.IsSuccess));
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"s-{i}"), readings.Select(r => r.GetProperty("messageId").GetString()));
        Assert.True(second.IsConnected);
    }

    [Fact]
    public async Task Connect_BadCredentials_RefusedNotAuthorized()
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient);
        var other = await RegisterAsync(Gateway, patient);
        var revoked = await RegisterAsync(Gateway, patient);
        using (var hospital = Gateway.CreateClientFor(GatewayRoles.Hospital))
        {
            (await hospital.DeleteAsync(new Uri($"/devices/{revoked.DeviceId}", UriKind.Relative))).Dispose();
        }

        var attempts = new[]
        {
            Options(Gateway, device, password: (device with { PrimaryKey = Convert.ToBase64String(new byte[32]) }).Sas()),
            Options(Gateway, device, password: device.Sas(TimeSpan.FromSeconds(-5))),
            Options(Gateway, revoked),
            Options(Gateway, device, password: other.Sas()),
            Options(Gateway, device, clientId: other.DeviceId),
            Options(Gateway, device, userName: $"elsewhere/{device.DeviceId}/?api-version=2021-04-12"),
            Options(Gateway, device, password: "not a token"),
        };

        foreach (var options in attempts)
        {
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await ConnectResultAsync(options));
        }

        using var good = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await good.ConnectAsync(Options(Gateway, device))).ResultCode);
    }

    [Theory]
    [InlineData("qos2")]
    [InlineData("foreign-topic")]
    [InlineData("not-events")]
    [InlineData("oversize")]
    [InlineData("huge")]
    public async Task Publish_Forbidden_ConnectionClosedAndNothingStored(string variant)
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient);
        var other = await RegisterAsync(Gateway, patient);
        using var client = await ConnectAsync(Gateway, device);
        var disconnected = DisconnectedAsync(client);
        var good = Reading("heartrate", 70, "2024-03-01T08:00:00Z");
        var message = variant switch
        {
            "qos2" => Message(EventsTopic(device.DeviceId), good, MqttQualityOfServiceLevel.ExactlyOnce),
            "foreign-topic" => Message(EventsTopic(other.DeviceId), good),
            "not-events" => Message($"devices/{device.DeviceId}/twin", good),
            "oversize" => Message(EventsTopic(device.DeviceId), $"{{\"pad\":\"{new string('x', 256 * 1024)}\"}}"),
            _ => Message(EventsTopic(device.DeviceId), $"{{\"pad\":\"{new string('x', 2 * 1024 * 1024)}\"}}"),
        };

        try
        {
            await client.PublishAsync(message);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or MqttClientNotConnectedException)
        {
            // The server may close the connection before the client finished waiting for an acknowledgement.
        }

        await disconnected.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(client.IsConnected);
        Assert.Empty(await ReadingsAsync(Gateway, device.DeviceId));
        Assert.Empty(await ReadingsAsync(Gateway, other.DeviceId));
    }

    [Fact]
    public async Task Publish_UnusablePayloadOverMqtt5_RefusedInPubAckConnectionStaysOpen()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var client = await ConnectAsync(Gateway, device, MqttProtocolVersion.V500);

        var malformed = await client.PublishAsync(Message(EventsTopic(device.DeviceId), "{\"heartRate\": "));
        var impossible = await client.PublishAsync(Message(EventsTopic(device.DeviceId), Reading("spo2", 150, "2024-03-01T08:00:00Z")));
        var good = await client.PublishAsync(Message(EventsTopic(device.DeviceId), Reading("spo2", 98, "2024-03-01T08:00:00Z")));

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, malformed.ReasonCode);
        Assert.False(string.IsNullOrEmpty(malformed.ReasonString));
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, impossible.ReasonCode);
        Assert.True(good.IsSuccess);
        Assert.True(client.IsConnected);
        Assert.Single(await ReadingsAsync(Gateway, device.DeviceId));
    }

    [Fact]
    public async Task Subscribe_OtherDevicesTopic_Refused_OwnCloudToDeviceAllowed()
    {
        var patient = await CreatePatientAsync(Gateway);
        var device = await RegisterAsync(Gateway, patient);
        var other = await RegisterAsync(Gateway, patient);
        using var client = await ConnectAsync(Gateway, device, MqttProtocolVersion.V500);

        var foreign = await client.SubscribeAsync(EventsTopic(other.DeviceId) + "#");
        var own = await client.SubscribeAsync($"devices/{device.DeviceId}/messages/devicebound/#");

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(foreign.Items).ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, Assert.Single(own.Items).ResultCode);
    }

    [Fact]
    public async Task Connected_DeviceRevoked_ConnectionClosedAtOnce()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));
        using var client = await ConnectAsync(Gateway, device);
        var disconnected = DisconnectedAsync(client);

        using (var hospital = Gateway.CreateClientFor(GatewayRoles.Hospital))
        {
            (await hospital.DeleteAsync(new Uri($"/devices/{device.DeviceId}", UriKind.Relative))).Dispose();
        }

        await disconnected.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await ConnectResultAsync(Options(Gateway, device)));
    }

    [Fact]
    public async Task MosquittoPub_IotHubDialect_ReadingQueryable()
    {
        var device = await RegisterAsync(Gateway, await CreatePatientAsync(Gateway));

        var (exit, errors) = await MosquittoPubAsync(
            "-h", "127.0.0.1", "-p", Port(Gateway).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-V", "mqttv311", "-q", "1",
            "-i", device.DeviceId, "-u", UserName(device), "-P", device.Sas(),
            "-t", EventsTopic(device.DeviceId, "%24.mid=mosquitto-1"),
            "-m", Reading("heartrate", 66, "2024-03-01T09:00:00Z"));
        var (badExit, _) = await MosquittoPubAsync(
            "-h", "127.0.0.1", "-p", Port(Gateway).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-V", "mqttv311", "-q", "1",
            "-i", device.DeviceId, "-u", UserName(device), "-P", (device with { PrimaryKey = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('k', 32))) }).Sas(),
            "-t", EventsTopic(device.DeviceId), "-m", Reading("heartrate", 99, "2024-03-01T09:01:00Z"));
        var readings = await ReadingsAsync(Gateway, device.DeviceId);

        Assert.True(exit == 0, $"mosquitto_pub failed ({exit}): {errors}");
        Assert.NotEqual(0, badExit);
        var reading = Assert.Single(readings);
        Assert.Equal("mosquitto-1", reading.GetProperty("messageId").GetString());
        Assert.Equal("66", reading.GetProperty("values")[0].GetProperty("value").GetString());
    }
}
