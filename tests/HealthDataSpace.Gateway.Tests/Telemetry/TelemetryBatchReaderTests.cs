using System.Buffers;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Gateway.Features.Telemetry.Grpc;

namespace HealthDataSpace.Gateway.Tests.Telemetry;

/// <summary>
/// The gateway's own batch reader against the generated protobuf parser on the same bytes: whatever the generated
/// parser makes of them (field order, repeats, merges, oneof switches, unknown fields, bad timestamps, broken bytes),
/// the reader must make the same device messages and refusals of, or refuse the same bytes.
/// </summary>
public sealed class TelemetryBatchReaderTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_OrdinaryBatch_SameAsGeneratedParser()
    {
        var batch = new TelemetryBatch { BatchId = "b-1" };
        for (var i = 0; i < 12; i++)
        {
            // More distinct device ids, types and units than the string cache holds, interleaved.
            var message = new TelemetryMessage { DeviceId = $"dev-{i % 6}", MessageId = $"m{i}" };
            if (i % 3 == 0)
            {
                message.JsonPayload = ByteString.CopyFromUtf8($"{{\"heartRate\":{60 + i}}}");
                message.Properties.Add("iothub-creation-time-utc", "2024-03-01T00:00:00Z");
                message.Properties.Add($"k{i}", "v");
            }
            else
            {
                message.EnqueuedTime = Timestamp.FromDateTimeOffset(T0.AddSeconds(i));
                message.Measurements = new Measurements();
                for (var m = 0; m < i % 5 + 1; m++)
                {
                    message.Measurements.Items.Add(new Measurement
                    {
                        Type = $"type-{(i + m) % 7}",
                        Value = 60.25 + i + m,
                        Unit = m % 2 == 0 ? string.Empty : $"unit-{m}",
                        Time = m == 0 ? null : Timestamp.FromDateTimeOffset(T0.AddMinutes(m).AddTicks(i * 10)),
                    });
                }
            }

            batch.Messages.Add(message);
        }

        AssertSameAsGenerated(batch.ToByteArray());
    }

    [Fact]
    public void Read_RepeatedAndMergedFields_LastScalarWinsMessagesMergeOneofLastWins()
    {
        var first = new TelemetryMessage
        {
            DeviceId = "dev-a",
            MessageId = "m1",
            EnqueuedTime = new Timestamp { Seconds = 1_700_000_000 },
            Measurements = new Measurements { Items = { new Measurement { Type = "heartrate", Value = 70 } } },
        };
        first.Properties.Add("a", "1");
        var second = new TelemetryMessage
        {
            DeviceId = "dev-b",
            EnqueuedTime = new Timestamp { Nanos = 500 },
            Measurements = new Measurements { Items = { new Measurement { Type = "spo2", Value = 97, Unit = "%" } } },
        };
        second.Properties.Add("a", "2");
        second.Properties.Add("b", "3");
        var jsonThenMeasurements = Concat(
            new TelemetryMessage { MessageId = "m2", JsonPayload = ByteString.CopyFromUtf8("{}") }.ToByteArray(),
            new TelemetryMessage { Measurements = new Measurements { Items = { new Measurement { Type = "steps", Value = 3 } } } }.ToByteArray());
        var measurementsThenJson = Concat(first.ToByteArray(), new TelemetryMessage { JsonPayload = ByteString.CopyFromUtf8("[1]") }.ToByteArray());
        // A measurement whose fields repeat and whose time arrives in two halves.
        var measurement = Concat(
            new Measurement { Type = "x", Value = 1, Time = new Timestamp { Seconds = 1_700_000_100 } }.ToByteArray(),
            new Measurement { Type = "heartrate", Value = 2, Time = new Timestamp { Nanos = 7_000 } }.ToByteArray());
        var merged = Field(4, Field(1, measurement));

        var bytes = Concat(
            Field(1, Encoding.UTF8.GetBytes("ignored")),
            Field(2, Concat(first.ToByteArray(), second.ToByteArray())),
            Field(2, jsonThenMeasurements),
            Field(2, measurementsThenJson),
            Field(2, Concat(new TelemetryMessage { DeviceId = "dev-c", MessageId = "m3" }.ToByteArray(), merged)),
            Field(1, Encoding.UTF8.GetBytes("b-final")));

        var read = AssertSameAsGenerated(bytes);

        Assert.Equal("b-final", read.BatchId);
    }

    [Fact]
    public void Read_UnknownFieldsOfEveryWireType_AreSkipped()
    {
        var unknown = UnknownFields();
        var message = Concat(
            unknown,
            new TelemetryMessage { DeviceId = "dev-a", MessageId = "m1" }.ToByteArray(),
            Field(3, Concat(unknown, new Timestamp { Seconds = 1_700_000_000 }.ToByteArray())),
            Field(4, Concat(unknown, Field(1, Concat(unknown, new Measurement { Type = "heartrate", Value = 61 }.ToByteArray())))),
            Field(6, Concat(unknown, Field(1, "k"u8.ToArray()), Field(2, "v"u8.ToArray()))));

        AssertSameAsGenerated(Concat(unknown, Field(2, message), unknown));
    }

    [Theory]
    [InlineData(0, -1)]
    [InlineData(0, 1_000_000_000)]
    [InlineData(253_402_300_800, 0)]
    [InlineData(-62_135_596_801, 0)]
    [InlineData(-62_135_596_800, 0)]
    [InlineData(253_402_300_799, 999_999_999)]
    public void Read_TimestampsAtAndBeyondTheLimits_RefusedOrAcceptedAsTheGeneratedTypeDoes(long seconds, int nanos)
    {
        var stamp = new Timestamp { Seconds = seconds, Nanos = nanos };
        var batch = new TelemetryBatch
        {
            Messages =
            {
                new TelemetryMessage { DeviceId = "d", MessageId = "enqueued", EnqueuedTime = stamp, JsonPayload = ByteString.CopyFromUtf8("{}") },
                new TelemetryMessage
                {
                    DeviceId = "d",
                    MessageId = "measured",
                    Measurements = new Measurements { Items = { new Measurement { Type = "heartrate", Value = 60 }, new Measurement { Type = "heartrate", Value = 61, Time = stamp } } },
                },
            },
        };

        AssertSameAsGenerated(batch.ToByteArray());
    }

    [Theory]
    [InlineData(1)] // device_id
    [InlineData(2)] // message_id
    [InlineData(6)] // a property
    [InlineData(4)] // a measurement's type
    public void Read_InvalidUtf8InAString_RefusedLikeTheGeneratedParser(int field)
    {
        byte[] invalid = [0x64, 0xFF, 0xC3, 0x28, 0x65];
        var message = field switch
        {
            6 => Field(6, Field(1, invalid)),
            4 => Field(4, Field(1, Field(1, invalid))),
            _ => Field(field, invalid),
        };
        var bytes = Field(2, message);

        Assert.Throws<InvalidProtocolBufferException>(() => TelemetryBatch.Parser.ParseFrom(bytes));
        var error = Assert.Throws<RpcException>(() => TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not valid UTF-8", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PayloadInManySegments_SameAsInOneAndOwnsItsJsonBodies()
    {
        var batch = new TelemetryBatch { BatchId = "segmented" };
        for (var i = 0; i < 50; i++)
        {
            var message = new TelemetryMessage { DeviceId = "dev", MessageId = $"m{i}" };
            if (i % 2 == 0)
            {
                message.JsonPayload = ByteString.CopyFromUtf8($"{{\"heartRate\":{60 + i}}}");
            }
            else
            {
                message.Measurements = new Measurements { Items = { new Measurement { Type = "heartrate", Value = i, Time = Timestamp.FromDateTimeOffset(T0.AddSeconds(i)) } } };
            }

            batch.Messages.Add(message);
        }

        var bytes = batch.ToByteArray();
        var whole = Describe(TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes)));
        var segmented = TelemetryBatchReader.Read(Segments(bytes, 7));
        // The segments were joined in a pooled buffer: whoever rents it next may overwrite it; the bodies must not change.
        for (var i = 0; i < 8; i++)
        {
            var reused = ArrayPool<byte>.Shared.Rent(bytes.Length);
            reused.AsSpan().Fill(0xEE);
            ArrayPool<byte>.Shared.Return(reused);
        }

        Assert.Equal(Describe(Expected(TelemetryBatch.Parser.ParseFrom(bytes))), whole);
        Assert.Equal(whole, Describe(segmented));
    }

    [Theory]
    [InlineData("8A 80 80 80 10 01 41")] // batch_id's tag in six bytes: bits beyond 32 are dropped
    [InlineData("0A 81 80 80 80 10 41")] // batch_id's length in five bytes with a bit beyond 32
    [InlineData("0A FF FF FF FF 0F")] // a length that is negative as a 32-bit int
    public void Read_UnusualEncodings_AcceptedOrRefusedAsTheGeneratedParserDoes(string hex) =>
        _ = AssertSameOutcome(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));

    [Fact]
    public void Read_InvalidWireTypeInsideAPropertyEntry_RefusedThoughTheGeneratedParserIgnoresIt()
    {
        // The one known difference, on purpose: wire type 6 does not exist. The generated map codec skips nothing for it
        // and reads an empty entry; the reader refuses the batch as it does an invalid wire type anywhere else.
        byte[] bytes = [0x12, 0x03, 0x32, 0x01, 0x0E];
        var generated = TelemetryBatch.Parser.ParseFrom(bytes);

        var error = Assert.Throws<RpcException>(() => TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes)));

        Assert.Equal(string.Empty, Assert.Single(generated.Messages[0].Properties).Key);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(0, 101)]
    [InlineData(1, 99)]
    [InlineData(1, 100)]
    [InlineData(2, 97)]
    [InlineData(2, 98)]
    [InlineData(3, 96)]
    [InlineData(3, 97)]
    public void Read_NestedUnknownGroups_RefusedAtTheGeneratedParsersDepth(int level, int groups)
    {
        // Groups opened at the batch (0), in a message (1), in its enqueued time (2) or in a measurement (3).
        // Field 15 opened as a group (0x7B) and closed (0x7C), nested.
        byte[] nested = [.. Enumerable.Repeat((byte)0x7B, groups), .. Enumerable.Repeat((byte)0x7C, groups)];
        var bytes = level switch
        {
            0 => nested,
            1 => Field(2, nested),
            2 => Field(2, Field(3, nested)),
            _ => Field(2, Field(4, Field(1, nested))),
        };

        _ = AssertSameOutcome(bytes);
    }

    [Fact]
    public void Read_EveryTruncation_RefusedExactlyWhenTheGeneratedParserRefuses()
    {
        var batch = new TelemetryBatch { BatchId = "cut" };
        var message = new TelemetryMessage
        {
            DeviceId = "dev",
            MessageId = "m1",
            EnqueuedTime = new Timestamp { Seconds = 1_700_000_000, Nanos = 5 },
            Measurements = new Measurements { Items = { new Measurement { Type = "heartrate", Value = 72.5, Unit = "/min", Time = new Timestamp { Seconds = 1_700_000_001 } } } },
        };
        message.Properties.Add("k", "v");
        batch.Messages.Add(message);
        var bytes = Concat(batch.ToByteArray(), UnknownFields());
        var refused = 0;

        for (var length = 0; length < bytes.Length; length++)
        {
            refused += AssertSameOutcome(bytes[..length]) ? 1 : 0;
        }

        // Most cuts fall inside a field: the comparison above must have seen refusals, not only clean prefixes.
        Assert.True(refused > bytes.Length / 2, $"only {refused} of {bytes.Length} prefixes were refused");
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })] // field number 0
    [InlineData(new byte[] { 0x0E, 0x01 })] // wire type 6
    [InlineData(new byte[] { 0x0C })] // an end-group with no group
    [InlineData(new byte[] { 0x0B, 0x0A, 0x00 })] // a group never closed
    [InlineData(new byte[] { 0x0B, 0x14 })] // a group closed by another field
    [InlineData(new byte[] { 0x12, 0x05, 0x0A, 0x01 })] // a message longer than the rest
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // an 11-byte varint
    public void Read_ImpossibleBytes_InvalidArgumentLikeTheGeneratedParser(byte[] bytes)
    {
        Assert.Throws<InvalidProtocolBufferException>(() => TelemetryBatch.Parser.ParseFrom(bytes));

        var error = Assert.Throws<RpcException>(() => TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    /// <summary>
    /// Either both refuse the bytes (the reader with INVALID_ARGUMENT and its own wording), or both read the same batch.
    /// True when they were refused.
    /// </summary>
    private static bool AssertSameOutcome(byte[] bytes)
    {
        TelemetryBatch? generated;
        try
        {
            generated = TelemetryBatch.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            generated = null;
        }

        if (generated is null)
        {
            var error = Assert.Throws<RpcException>(() => TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes)));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith("The request is not a readable TelemetryBatch", error.Status.Detail, StringComparison.Ordinal);
            return true;
        }

        Assert.Equal(Describe(Expected(generated)), Describe(TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes))));
        return false;
    }

    private static IncomingBatch AssertSameAsGenerated(byte[] bytes)
    {
        var read = TelemetryBatchReader.Read(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(Describe(Expected(TelemetryBatch.Parser.ParseFrom(bytes))), Describe(read));
        return read;
    }

    /// <summary>The oracle: the generated objects, converted by the rules the gateway had before it read bytes itself.</summary>
    private static IncomingBatch Expected(TelemetryBatch batch)
    {
        var messages = new List<Core.Telemetry.DeviceMessage>();
        var rejected = new List<Core.Telemetry.Ingest.MessageRejection>();
        foreach (var message in batch.Messages)
        {
            if (!TryTime(message.EnqueuedTime, out var enqueued))
            {
                rejected.Add(new(message.MessageId, "enqueued_time is not a valid timestamp"));
                continue;
            }

            List<Core.Telemetry.DeviceMeasurement>? measurements = null;
            if (message.BodyCase == TelemetryMessage.BodyOneofCase.Measurements)
            {
                measurements = [];
                foreach (var item in message.Measurements.Items)
                {
                    if (!TryTime(item.Time, out var time))
                    {
                        measurements = null;
                        break;
                    }

                    measurements.Add(new(item.Type, item.Value, item.Unit.Length == 0 ? null : item.Unit, time == default ? enqueued : time));
                }

                if (measurements is null)
                {
                    rejected.Add(new(message.MessageId, "a measurement time is not a valid timestamp"));
                    continue;
                }
            }

            var payload = message.BodyCase == TelemetryMessage.BodyOneofCase.JsonPayload ? message.JsonPayload.Memory : default;
            messages.Add(new(message.DeviceId, message.MessageId, enqueued, payload, measurements, new Dictionary<string, string>(message.Properties)));
        }

        return new IncomingBatch(batch.BatchId, messages, rejected);
    }

    private static bool TryTime(Timestamp? timestamp, out DateTimeOffset time)
    {
        time = default;
        if (timestamp is null)
        {
            return true;
        }

        try
        {
            time = timestamp.ToDateTimeOffset();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Describe(IncomingBatch batch)
    {
        var text = new StringBuilder().Append("batch ").AppendLine(batch.BatchId);
        foreach (var m in batch.Messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"{m.DeviceId} | {m.MessageId} | {m.EnqueuedTime.UtcTicks} | json {Convert.ToBase64String(m.JsonPayload.Span)} | ");
            text.Append(m.Measurements is null ? "no measurements" : string.Join("; ", m.Measurements.Select(x =>
                string.Create(CultureInfo.InvariantCulture, $"{x.Type},{BitConverter.DoubleToInt64Bits(x.Value)},{x.Unit ?? "<null>"},{x.Time.UtcTicks}"))));
            text.Append(" | ").AppendLine(string.Join(",", m.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }

        foreach (var r in batch.Rejected)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"rejected {r.MessageId}: {r.Reason}");
        }

        return text.ToString();
    }

    /// <summary>Field 15 as a varint, a fixed64, a fixed32, bytes and a group holding a nested group.</summary>
    private static byte[] UnknownFields()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(15, WireFormat.WireType.Varint);
        output.WriteUInt64(ulong.MaxValue);
        output.WriteTag(15, WireFormat.WireType.Fixed64);
        output.WriteFixed64(42);
        output.WriteTag(15, WireFormat.WireType.Fixed32);
        output.WriteFixed32(7);
        output.WriteTag(15, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFromUtf8("skip me"));
        output.WriteTag(16, WireFormat.WireType.StartGroup);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32(3);
        output.WriteTag(17, WireFormat.WireType.StartGroup);
        output.WriteTag(17, WireFormat.WireType.EndGroup);
        output.WriteTag(16, WireFormat.WireType.EndGroup);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Field(int number, byte[] value)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        var last = first;
        for (var offset = size; offset < bytes.Length; offset += size)
        {
            last = last.Append(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
