using System.Diagnostics;
using HealthDataSpace.Gateway.Features.Telemetry.Mqtt;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>MQTT clients for the tests: MQTTnet's own client, and the mosquitto_pub command line.</summary>
internal static class MqttTestClient
{
    public static int Port(GatewayFactory gateway) => gateway.Services.GetRequiredService<MqttIngestServer>().Port;

    public static string UserName(DeviceCredentials device) => $"{device.HostName}/{device.DeviceId}/?api-version=2021-04-12";

    public static string EventsTopic(string deviceId, string propertyBag = "") => $"devices/{deviceId}/messages/events/{propertyBag}";

    public static MqttClientOptions Options(GatewayFactory gateway, DeviceCredentials device, string? password = null,
        string? clientId = null, string? userName = null, MqttProtocolVersion version = MqttProtocolVersion.V311, bool cleanSession = true) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port(gateway))
            .WithClientId(clientId ?? device.DeviceId)
            .WithCredentials(userName ?? UserName(device), password ?? device.Sas())
            .WithProtocolVersion(version)
            .WithCleanSession(cleanSession)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();

    public static async Task<IMqttClient> ConnectAsync(GatewayFactory gateway, DeviceCredentials device,
        MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(gateway, device, version: version));
        return client;
    }

    /// <summary>Completes when the server closes the client's connection (wait on it with a timeout).</summary>
    public static Task DisconnectedAsync(IMqttClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        return disconnected.Task;
    }

    /// <summary>The CONNACK result of a connection attempt (MQTTnet answers a refusal as a result, not an exception).</summary>
    public static async Task<MqttClientConnectResultCode> ConnectResultAsync(MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(options);
        if (client.IsConnected)
        {
            await client.DisconnectAsync();
        }

        return result.ResultCode;
    }

    /// <summary>Runs <c>mosquitto_pub</c> (Debian package mosquitto-clients; ./build.sh test installs it) and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Errors)> MosquittoPubAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("mosquitto_pub") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_pub did not start.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                "mosquitto_pub is not installed. Install the Debian package mosquitto-clients (./build.sh test does this), then run again.");
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await errors);
        }
    }
}
