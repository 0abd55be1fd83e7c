using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HealthDataSpace.Gateway.Features.Telemetry.Mqtt;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using static HealthDataSpace.Gateway.Tests.Telemetry.MqttTestClient;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>MQTT over TLS (Mqtt:TlsPort with a configured PKCS#12 certificate), as devices reach IoT Hub on 8883.</summary>
public sealed class MqttTlsTests : IDisposable
{
    private readonly TestIdentityProvider identity = new();
    private readonly string certificatePath = Path.Combine(Path.GetTempPath(), $"hds-mqtt-{Guid.NewGuid():N}.pfx");
    private readonly GatewayFactory gateway;

    public MqttTlsTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        File.WriteAllBytes(certificatePath, certificate.Export(X509ContentType.Pkcs12, "test-password"));
        gateway = new GatewayFactory(identity, new Dictionary<string, string?>
        {
            ["Mqtt:TlsPort"] = "0",
            ["Mqtt:TlsCertificatePath"] = certificatePath,
            ["Mqtt:TlsCertificatePassword"] = "test-password",
        });
    }

    [Fact]
    public async Task Publish_OverTls_PubAckedAndStored()
    {
        var device = await RegisterAsync(gateway, await CreatePatientAsync(gateway));
        var tlsPort = gateway.Services.GetRequiredService<MqttIngestServer>().TlsPort;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", tlsPort)
            .WithClientId(device.DeviceId)
            .WithCredentials(UserName(device), device.Sas())
            // The test certificate is self-signed; a device would trust the gateway's real certificate chain.
            .WithTlsOptions(tls => tls.WithCertificateValidationHandler(_ => true))
            .Build();
        using var client = new MqttClientFactory().CreateMqttClient();

        var connected = await client.ConnectAsync(options);
        var published = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(EventsTopic(device.DeviceId, "%24.mid=tls-1"))
            .WithPayload("{\"heartRate\":64,\"endDate\":\"2024-03-01T07:00:00Z\"}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.NotEqual(0, tlsPort);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        Assert.True(published.IsSuccess);
        Assert.Equal("tls-1", Assert.Single(await ReadingsAsync(gateway, device.DeviceId)).GetProperty("messageId").GetString());
    }

    public void Dispose()
    {
        gateway.Dispose();
        identity.Dispose();
        File.Delete(certificatePath);
    }
}
