using System.Threading.Channels;
using global::Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Gateway.Auth;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// The gRPC adapter of the ingest path: authenticated caller in, one ack per batch out, each only after its batch is
/// durable. A stream keeps up to <see cref="TelemetryOptions.StreamWindow"/> batches in flight, so one client is not
/// limited to one commit per round trip; beyond that it stops reading, and HTTP/2 flow control slows the sender.
/// Status codes are chosen by <see cref="TelemetryStatusInterceptor"/>; batches are read by
/// <see cref="TelemetryBatchReader"/> (see <see cref="TelemetryIngestBinding"/>).
/// </summary>
internal sealed class TelemetryIngestService(TelemetryIngestor ingestor, DeviceSessions sessions, IOptions<TelemetryOptions> options)
    : TelemetryIngestBinding
{
    public override async Task<IngestAck> Send(IncomingBatch request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var caller = Caller(context);
        using var lease = Lease(caller);
        using var cancellation = Linked(context, lease);
        try
        {
            var outcome = await ingestor.IngestAsync(caller, request.Messages, cancellation.Token);
            return TelemetryMessageConverter.ToAck(request.BatchId, outcome, request.Rejected);
        }
        catch (OperationCanceledException) when (lease?.Token.IsCancellationRequested == true)
        {
            throw new DeviceConnectionClosedException();
        }
    }

    public override async Task Stream(IAsyncStreamReader<IncomingBatch> requestStream, IServerStreamWriter<IngestAck> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var caller = Caller(context);
        using var lease = Lease(caller);
        using var cancellation = Linked(context, lease);
        var token = cancellation.Token;

        var window = Channel.CreateBounded<Task<IngestAck>>(new BoundedChannelOptions(options.Value.StreamWindow)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var acks = WriteAcksAsync(window.Reader, responseStream, cancellation);
        Exception? failure = null;
        try
        {
            await foreach (var batch in requestStream.ReadAllAsync(token))
            {
                var pending = await ingestor.SubmitAsync(caller, batch.Messages, token);
                await window.Writer.WriteAsync(AckAsync(batch.BatchId, pending, batch.Rejected), token);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Acks of batches already committed are still sent before the stream ends, even when it ends in an error.
        window.Writer.TryComplete();
        try
        {
            await acks;
        }
        catch (OperationCanceledException) when (lease?.Token.IsCancellationRequested == true)
        {
            throw new DeviceConnectionClosedException();
        }

        if (failure is OperationCanceledException && lease?.Token.IsCancellationRequested == true)
        {
            throw new DeviceConnectionClosedException();
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static async Task WriteAcksAsync(ChannelReader<Task<IngestAck>> pending, IServerStreamWriter<IngestAck> responses,
        CancellationTokenSource cancellation)
    {
        try
        {
            await foreach (var ack in pending.ReadAllAsync(CancellationToken.None))
            {
                await responses.WriteAsync(await ack, cancellation.Token);
            }
        }
        catch
        {
            // A failed commit or a broken response stream ends the call: stop reading batches too.
            await cancellation.CancelAsync();
            throw;
        }
    }

    private static async Task<IngestAck> AckAsync(string batchId, Task<IngestOutcome> pending, List<MessageRejection> rejected) =>
        TelemetryMessageConverter.ToAck(batchId, await pending, rejected);

    private static IngestCaller Caller(ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        if (SharedAccessSignatureHandler.DeviceOf(user) is { } deviceId)
        {
            return new IngestCaller.Device(deviceId);
        }

        var caller = user.ToCaller();
        return string.IsNullOrEmpty(caller.ClientId)
            ? throw new RpcException(new Status(StatusCode.PermissionDenied, "The token names no client application (azp or appid), so no device can be registered to it."))
            : new IngestCaller.EdgeGateway(caller.ClientId);
    }

    /// <summary>A SAS-authenticated call holds its device's lease: revoking the device or rotating its keys ends it.</summary>
    private DeviceSessions.DeviceLease? Lease(IngestCaller caller) =>
        caller is IngestCaller.Device device ? sessions.Open(device.DeviceId) : null;

    private static CancellationTokenSource Linked(ServerCallContext context, DeviceSessions.DeviceLease? lease) =>
        lease is null
            ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lease.Token);
}
