using global::Grpc.Core;
using Google.Protobuf;
using HealthDataSpace.Contracts.Telemetry.V1;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// telemetry.proto's <c>TelemetryIngest</c> service bound with the gateway's own reader of batches
/// (<see cref="TelemetryBatchReader"/>) in place of the generated protobuf parser: same service name, methods and
/// wire format, so clients use the generated stubs unchanged. Acks are written by the generated serializer.
/// (gRPC finds the implementations by name, as overrides of the methods declared here.)
/// </summary>
[BindServiceMethod(typeof(TelemetryIngestBinding), nameof(BindService))]
internal abstract class TelemetryIngestBinding
{
    private const string ServiceName = "healthdataspace.telemetry.v1.TelemetryIngest";

    private static readonly Marshaller<IncomingBatch> BatchMarshaller = Marshallers.Create<IncomingBatch>(
        (_, _) => throw new NotSupportedException("The gateway only receives batches."),
        context => TelemetryBatchReader.Read(context.PayloadAsReadOnlySequence()));

    private static readonly Marshaller<IngestAck> AckMarshaller = Marshallers.Create<IngestAck>(
        (ack, context) =>
        {
            context.SetPayloadLength(ack.CalculateSize());
            ack.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        context => IngestAck.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    private static readonly Method<IncomingBatch, IngestAck> StreamMethod =
        new(MethodType.DuplexStreaming, ServiceName, nameof(Stream), BatchMarshaller, AckMarshaller);

    private static readonly Method<IncomingBatch, IngestAck> SendMethod =
        new(MethodType.Unary, ServiceName, nameof(Send), BatchMarshaller, AckMarshaller);

    /// <summary>Called by gRPC's service discovery, with no instance.</summary>
    public static void BindService(ServiceBinderBase binder, TelemetryIngestBinding? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(StreamMethod, service is null ? null! : service.Stream);
        binder.AddMethod(SendMethod, service is null ? null! : service.Send);
    }

    /// <summary>A long-lived stream: one ack per batch, in order, each once its batch is durable.</summary>
    public abstract Task Stream(IAsyncStreamReader<IncomingBatch> requestStream, IServerStreamWriter<IngestAck> responseStream, ServerCallContext context);

    /// <summary>One batch, one ack.</summary>
    public abstract Task<IngestAck> Send(IncomingBatch request, ServerCallContext context);
}
