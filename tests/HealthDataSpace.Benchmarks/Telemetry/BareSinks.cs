using System.Net;
using Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// The same-run baselines: a bare gRPC sink serving the same <c>TelemetryIngest.Stream</c> contract that only counts
/// readings and acks each batch at once (no auth, no normalisation, no storage), and a no-op MQTTnet server that
/// accepts every connection and PUBACKs every publish at once. Both on loopback, in this process.
/// </summary>
internal sealed class BareSinks : IAsyncDisposable
{
    private readonly WebApplication _grpc;
    private readonly MqttServer _mqtt;

    private BareSinks(WebApplication grpc, MqttServer mqtt, int grpcPort, int mqttPort)
    {
        _grpc = grpc;
        _mqtt = mqtt;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}/");
        MqttPort = mqttPort;
    }

    public Uri GrpcAddress { get; }

    public int MqttPort { get; }

    public static async Task<BareSinks> StartAsync(int grpcPort, int mqttPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
        var app = builder.Build();
        app.MapGrpcService<CountingSink>();
        await app.StartAsync();

        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(mqttPort).Build();
        var mqtt = new MqttServerFactory().CreateMqttServer(options);
        mqtt.InterceptingPublishAsync += args =>
        {
            args.ProcessPublish = false;
            return Task.CompletedTask;
        };
        await mqtt.StartAsync();
        return new BareSinks(app, mqtt, grpcPort, mqttPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _mqtt.StopAsync(new MqttServerStopOptions());
        _mqtt.Dispose();
        await _grpc.StopAsync();
        await _grpc.DisposeAsync();
    }

    /// <summary>Readings the gRPC sink has counted (so its work is not optimised away, and the run can be checked).</summary>
    public static long Counted => Interlocked.Read(ref s_counted);

    private static long s_counted;

    private sealed class CountingSink : TelemetryIngest.TelemetryIngestBase
    {
        public override async Task Stream(IAsyncStreamReader<TelemetryBatch> requestStream, IServerStreamWriter<IngestAck> responseStream,
            ServerCallContext context)
        {
            await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
            {
                var readings = 0;
                foreach (var message in batch.Messages)
                {
                    readings += message.Measurements?.Items.Count ?? 1;
                }

                Interlocked.Add(ref s_counted, readings);
                await responseStream.WriteAsync(new IngestAck { BatchId = batch.BatchId, Accepted = batch.Messages.Count }, context.CancellationToken);
            }
        }
    }
}
