using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Contracts.Telemetry.V1;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>One pass of the stream load: readings/s and ack latency of one target (the gateway or the bare sink).</summary>
internal sealed record StreamPassResult(string Target, long Readings, TimeSpan Wall, LatencySummary AckMilliseconds, int Rejected, int Duplicates)
{
    public double ReadingsPerSecond => Readings / Wall.TotalSeconds;

    /// <summary>CPU the serving process used per reading during the pass (µs), when measured.</summary>
    public double? CpuMicrosPerReading { get; init; }

    /// <summary>Gateway only: CPU per reading including the Observation projection catching up after the pass (µs).</summary>
    public double? CpuMicrosPerReadingWithProjection { get; init; }

    /// <summary>Gateway only: from the last ack until every reading was folded into Observations.</summary>
    public TimeSpan? ProjectionCatchUp { get; init; }
}

/// <summary>
/// Drives <c>TelemetryIngest.Stream</c>: one stream per device, each sending prebuilt batches with up to
/// <c>clientWindow</c> unacknowledged, timing every batch from its write to its ack.
/// </summary>
internal static class StreamLoad
{
    /// <summary>Batches for one device: <paramref name="batches"/> x <paramref name="messagesPerBatch"/> messages of
    /// <paramref name="readingsPerMessage"/> heart-rate readings one second apart.</summary>
    public static List<TelemetryBatch> Build(string deviceId, string runId, int batches, int messagesPerBatch, int readingsPerMessage)
    {
        var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var list = new List<TelemetryBatch>(batches);
        var second = 0;
        for (var b = 0; b < batches; b++)
        {
            var batch = new TelemetryBatch { BatchId = $"{runId}-{b}" };
            for (var m = 0; m < messagesPerBatch; m++)
            {
                var measurements = new Measurements();
                for (var r = 0; r < readingsPerMessage; r++, second++)
                {
                    measurements.Items.Add(new Measurement { Type = "heartrate", Value = 60 + (second % 40), Unit = "/min", Time = Timestamp.FromDateTimeOffset(start.AddSeconds(second)) });
                }

                batch.Messages.Add(new TelemetryMessage { DeviceId = deviceId, MessageId = $"{runId}-{b}-{m}", Measurements = measurements });
            }

            list.Add(batch);
        }

        return list;
    }

    public static async Task<StreamPassResult> RunAsync(string target, GrpcChannel channel, IReadOnlyList<(Metadata Headers, List<TelemetryBatch> Batches)> streams,
        int clientWindow, CancellationToken cancellationToken)
    {
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        var latencies = new List<double>[streams.Count];
        var rejected = 0;
        var duplicates = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(streams.Select(async (stream, index) =>
        {
            var samples = latencies[index] = new List<double>(stream.Batches.Count);
            var sentAt = new long[stream.Batches.Count];
            using var window = new SemaphoreSlim(clientWindow);
            using var call = client.Stream(stream.Headers, cancellationToken: cancellationToken);
            var sending = Task.Run(async () =>
            {
                for (var b = 0; b < stream.Batches.Count; b++)
                {
                    await window.WaitAsync(cancellationToken);
                    sentAt[b] = Stopwatch.GetTimestamp();
                    await call.RequestStream.WriteAsync(stream.Batches[b], cancellationToken);
                }

                await call.RequestStream.CompleteAsync();
            }, cancellationToken);
            var acked = 0;
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                samples.Add(Stopwatch.GetElapsedTime(sentAt[acked]).TotalMilliseconds);
                Interlocked.Add(ref rejected, call.ResponseStream.Current.Rejected.Count);
                Interlocked.Add(ref duplicates, call.ResponseStream.Current.Duplicates);
                acked++;
                window.Release();
            }

            await sending;
            if (acked != stream.Batches.Count)
            {
                throw new BenchmarkFailedException($"{target}: {acked} acks for {stream.Batches.Count} batches.");
            }
        }));
        var wall = Stopwatch.GetElapsedTime(started);
        var readings = streams.Sum(s => s.Batches.Sum(b => (long)b.Messages.Sum(m => m.Measurements.Items.Count)));
        return new StreamPassResult(target, readings, wall, LatencySummary.Of(latencies.SelectMany(l => l)), rejected, duplicates);
    }
}
