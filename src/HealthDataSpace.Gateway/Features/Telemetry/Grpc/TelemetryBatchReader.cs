using System.Buffers;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Ingest;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// Reads <c>TelemetryBatch</c> bytes (telemetry.proto) straight into device messages, instead of building the
/// generated protobuf objects and converting them: a message of one reading was seven objects and five strings
/// before it was a <see cref="DeviceMessage"/>. Repeated strings of a batch (device id, type, unit) are decoded once.
/// Field semantics are those of the generated parser — fields in any order, the last scalar wins, sub-messages merge,
/// the last member of the <c>body</c> oneof wins, a later map entry replaces an earlier one, unknown fields are
/// skipped — and a test holds the two to the same result on the same bytes.
/// </summary>
internal static class TelemetryBatchReader
{
    private const uint BatchIdTag = (1 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint MessagesTag = (2 << 3) | ProtoWireReader.WireLengthDelimited;

    private const uint DeviceIdTag = (1 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint MessageIdTag = (2 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint EnqueuedTimeTag = (3 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint MeasurementsTag = (4 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint JsonPayloadTag = (5 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint PropertiesTag = (6 << 3) | ProtoWireReader.WireLengthDelimited;

    private const uint ItemsTag = (1 << 3) | ProtoWireReader.WireLengthDelimited;

    private const uint TypeTag = (1 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint ValueTag = (2 << 3) | ProtoWireReader.WireFixed64;
    private const uint UnitTag = (3 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint TimeTag = (4 << 3) | ProtoWireReader.WireLengthDelimited;

    private const uint EntryKeyTag = (1 << 3) | ProtoWireReader.WireLengthDelimited;
    private const uint EntryValueTag = (2 << 3) | ProtoWireReader.WireLengthDelimited;

    private static readonly IReadOnlyDictionary<string, string> NoProperties = new Dictionary<string, string>();

    /// <summary>Reads one serialized batch; a gRPC payload split over several buffers is joined first.</summary>
    /// <exception cref="global::Grpc.Core.RpcException">INVALID_ARGUMENT: the bytes are not a readable batch.</exception>
    public static IncomingBatch Read(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return Read(payload.FirstSpan);
        }

        var length = checked((int)payload.Length);
        var joined = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(joined);
            return Read(joined.AsSpan(0, length));
        }
        finally
        {
            // Cleared: the buffer held health data, and the pool hands it to any other code next.
            ArrayPool<byte>.Shared.Return(joined, clearArray: true);
        }
    }

    public static IncomingBatch Read(ReadOnlySpan<byte> payload)
    {
        var batchId = string.Empty;
        var messages = new List<DeviceMessage>();
        var rejected = new List<MessageRejection>();
        var scratch = new BatchScratch();
        var reader = new ProtoWireReader(payload, depth: 0);
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case BatchIdTag:
                    batchId = reader.ReadString();
                    break;
                case MessagesTag:
                    ReadMessage(reader.ReadLengthDelimited(), scratch, messages, rejected);
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return new IncomingBatch(batchId, messages, rejected);
    }

    private static void ReadMessage(ReadOnlySpan<byte> bytes, BatchScratch scratch, List<DeviceMessage> messages, List<MessageRejection> rejected)
    {
        var deviceId = string.Empty;
        var messageId = string.Empty;
        WireTimestamp enqueued = default;
        var body = Body.None;
        ReadOnlySpan<byte> json = default;
        Dictionary<string, string>? properties = null;
        var items = scratch.Measurements;
        items.Clear();

        var reader = new ProtoWireReader(bytes, depth: 1);
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case DeviceIdTag:
                    deviceId = scratch.DeviceIds.Get(reader.ReadLengthDelimited());
                    break;
                case MessageIdTag:
                    messageId = reader.ReadString();
                    break;
                case EnqueuedTimeTag:
                    enqueued = enqueued.MergeFrom(reader.ReadLengthDelimited(), depth: 2);
                    break;
                case MeasurementsTag:
                    // As generated: measurements merge only into measurements; after a json_payload they start afresh.
                    if (body != Body.Measurements)
                    {
                        items.Clear();
                    }

                    ReadMeasurements(reader.ReadLengthDelimited(), scratch, items);
                    body = Body.Measurements;
                    break;
                case JsonPayloadTag:
                    json = reader.ReadLengthDelimited();
                    body = Body.Json;
                    break;
                case PropertiesTag:
                    var (key, value) = ReadEntry(reader.ReadLengthDelimited());
                    (properties ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        if (!enqueued.TryGetTime(out var enqueuedTime))
        {
            rejected.Add(new MessageRejection(messageId, "enqueued_time is not a valid timestamp"));
            return;
        }

        IReadOnlyList<DeviceMeasurement>? measurements = null;
        if (body == Body.Measurements)
        {
            var converted = new DeviceMeasurement[items.Count];
            for (var i = 0; i < converted.Length; i++)
            {
                var item = items[i];
                if (!item.Time.TryGetTime(out var time))
                {
                    rejected.Add(new MessageRejection(messageId, "a measurement time is not a valid timestamp"));
                    return;
                }

                // An unset measurement time is the message's enqueued time (itself filled in by the gateway when unset).
                converted[i] = new DeviceMeasurement(item.Type, item.Value, item.Unit.Length == 0 ? null : item.Unit, time == default ? enqueuedTime : time);
            }

            measurements = converted;
        }

        // The body outlives the request buffer (it is stored as sent), so it gets its own copy.
        var payload = body == Body.Json ? new ReadOnlyMemory<byte>(json.ToArray()) : default;
        messages.Add(new DeviceMessage(deviceId, messageId, enqueuedTime, payload, measurements, properties ?? NoProperties));
    }

    private static void ReadMeasurements(ReadOnlySpan<byte> bytes, BatchScratch scratch, List<WireMeasurement> items)
    {
        var reader = new ProtoWireReader(bytes, depth: 2);
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadTag();
            if (tag == ItemsTag)
            {
                items.Add(ReadMeasurement(reader.ReadLengthDelimited(), scratch));
            }
            else
            {
                reader.Skip(tag);
            }
        }
    }

    private static WireMeasurement ReadMeasurement(ReadOnlySpan<byte> bytes, BatchScratch scratch)
    {
        var measurement = new WireMeasurement(string.Empty, 0, string.Empty, default);
        var reader = new ProtoWireReader(bytes, depth: 3);
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case TypeTag:
                    measurement = measurement with { Type = scratch.Names.Get(reader.ReadLengthDelimited()) };
                    break;
                case ValueTag:
                    measurement = measurement with { Value = reader.ReadDouble() };
                    break;
                case UnitTag:
                    measurement = measurement with { Unit = scratch.Names.Get(reader.ReadLengthDelimited()) };
                    break;
                case TimeTag:
                    measurement = measurement with { Time = measurement.Time.MergeFrom(reader.ReadLengthDelimited(), depth: 4) };
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return measurement;
    }

    private static (string Key, string Value) ReadEntry(ReadOnlySpan<byte> bytes)
    {
        string key = string.Empty, value = string.Empty;
        var reader = new ProtoWireReader(bytes, depth: 2);
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case EntryKeyTag:
                    key = reader.ReadString();
                    break;
                case EntryValueTag:
                    value = reader.ReadString();
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return (key, value);
    }

    private enum Body
    {
        None,
        Measurements,
        Json,
    }

    private readonly record struct WireMeasurement(string Type, double Value, string Unit, WireTimestamp Time);

    /// <summary>What one batch reuses from message to message.</summary>
    private sealed class BatchScratch
    {
        public List<WireMeasurement> Measurements { get; } = [];

        public Utf8StringCache DeviceIds { get; } = new();

        public Utf8StringCache Names { get; } = new();
    }
}
