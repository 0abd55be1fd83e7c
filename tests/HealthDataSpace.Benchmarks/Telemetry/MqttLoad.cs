using System.Diagnostics;
using System.Globalization;
using HealthDataSpace.Benchmarks.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace HealthDataSpace.Benchmarks.Telemetry;

internal sealed record MqttPassResult(string Target, int InFlight, long Messages, TimeSpan Wall, LatencySummary PubAckMilliseconds)
{
    public double MessagesPerSecond => Messages / Wall.TotalSeconds;
}

/// <summary>
/// One device (client) per connection, each publishing QoS 1 JSON readings with up to <c>inFlight</c> publishes awaiting
/// their PUBACK (1 = one after another; device SDKs keep several in flight), timing each PUBACK.
/// </summary>
internal static class MqttLoad
{
    public sealed record Device(string DeviceId, string UserName, string Password);

    public static async Task<MqttPassResult> RunAsync(string target, int port, IReadOnlyList<Device> devices, int messagesPerDevice, int inFlight,
        string runId, CancellationToken cancellationToken)
    {
        var clients = new List<IMqttClient>();
        try
        {
            foreach (var device in devices)
            {
                var client = new MqttClientFactory().CreateMqttClient();
                var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(device.DeviceId)
                    .WithCredentials(device.UserName, device.Password).WithTimeout(TimeSpan.FromSeconds(60)).Build();
                var connected = await client.ConnectAsync(options, cancellationToken);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new BenchmarkFailedException($"{target}: MQTT CONNECT refused ({connected.ResultCode}).");
                }

                clients.Add(client);
            }

            var latencies = new List<double>[devices.Count];
            var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(clients.Select(async (client, index) =>
            {
                var device = devices[index];
                var samples = latencies[index] = new List<double>(messagesPerDevice);
                using var window = new SemaphoreSlim(inFlight);
                var publishes = new List<Task>(messagesPerDevice);
                for (var i = 0; i < messagesPerDevice; i++)
                {
                    var body = string.Create(CultureInfo.InvariantCulture,
                        $"{{\"heartRate\":{60 + (i % 40)},\"endDate\":\"{start.AddSeconds(i):yyyy-MM-ddTHH:mm:ssZ}\",\"deviceId\":\"{device.DeviceId}\"}}");
                    var message = new MqttApplicationMessageBuilder()
                        .WithTopic($"devices/{device.DeviceId}/messages/events/%24.mid={runId}-{i}")
                        .WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    await window.WaitAsync(cancellationToken);
                    publishes.Add(PublishAsync(client, message, samples, window, target, cancellationToken));
                }

                await Task.WhenAll(publishes);
            }));
            var wall = Stopwatch.GetElapsedTime(started);
            return new MqttPassResult(target, inFlight, (long)devices.Count * messagesPerDevice, wall, LatencySummary.Of(latencies.SelectMany(l => l)));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task PublishAsync(IMqttClient client, MqttApplicationMessage message, List<double> samples, SemaphoreSlim window,
        string target, CancellationToken cancellationToken)
    {
        try
        {
            var sent = Stopwatch.GetTimestamp();
            var result = await client.PublishAsync(message, cancellationToken);
            lock (samples)
            {
                samples.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }

            if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                throw new BenchmarkFailedException($"{target}: PUBACK {result.ReasonCode}.");
            }
        }
        finally
        {
            window.Release();
        }
    }
}
