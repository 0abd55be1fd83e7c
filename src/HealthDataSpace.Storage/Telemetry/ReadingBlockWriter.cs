using System.Buffers;
using System.Text;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Packs the readings of one block (one device, one hour, one commit) into the binary form of
/// <c>telemetry_blocks.data</c>. Layout (version 1), integers as LEB128 varints, signed ones zig-zag encoded:
/// <code>
/// block   := 0x01 messageCount messageId* readingCount reading*
/// reading := messageIndex type:ref timeDelta:signed valueCount (name:ref value:text)* correlation:ref
/// ref     := 0 (null) | 1 text (new string, appended to the block's table) | n ≥ 2 (table[n - 2])
/// text    := byteLength utf8
/// </code>
/// Times are microseconds, each stored as the difference to the previous reading's (the first to 0). Repeating
/// strings (types, value names, correlation ids) are written once per block. Not thread-safe: one per appender.
/// </summary>
internal sealed class ReadingBlockWriter
{
    public const byte Version = 1;

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    private string? _lastType;
    private int _lastTypeRef;

    /// <summary>Encodes the readings (in block order) of the given records; returns the bytes, valid until the next call.</summary>
    public ReadOnlySpan<byte> Encode(IReadOnlyList<TelemetryRecord> records, ReadOnlySpan<ReadingRef> readings)
    {
        _buffer.ResetWrittenCount();
        _strings.Clear();
        _lastType = null;
        WriteByte(Version);

        var messageCount = 0;
        var previous = -1;
        foreach (var reading in readings)
        {
            if (reading.Record != previous)
            {
                messageCount++;
                previous = reading.Record;
            }
        }

        WriteUnsigned((ulong)messageCount);
        previous = -1;
        foreach (var reading in readings)
        {
            if (reading.Record != previous)
            {
                WriteText(records[reading.Record].MessageId);
                previous = reading.Record;
            }
        }

        WriteUnsigned((ulong)readings.Length);
        var messageIndex = -1;
        previous = -1;
        var lastTime = 0L;
        foreach (var reading in readings)
        {
            if (reading.Record != previous)
            {
                messageIndex++;
                previous = reading.Record;
            }

            var value = records[reading.Record].Readings[reading.Reading];
            var time = TelemetrySchema.ToMicros(value.OccurrenceTime);
            WriteUnsigned((ulong)messageIndex);
            WriteType(value.Type);
            WriteSigned(time - lastTime);
            lastTime = time;
            WriteUnsigned((ulong)value.Values.Count);
            foreach (var named in value.Values)
            {
                WriteRef(named.Name);
                WriteText(named.Value);
            }

            WriteRef(value.CorrelationId);
        }

        return _buffer.WrittenSpan;
    }

    /// <summary>The type usually repeats from reading to reading: skip the table lookup when it is the same string.</summary>
    private void WriteType(string type)
    {
        if (ReferenceEquals(type, _lastType) || (_lastType is not null && string.Equals(type, _lastType, StringComparison.Ordinal)))
        {
            WriteUnsigned((ulong)_lastTypeRef);
            return;
        }

        WriteRef(type);
        _lastType = type;
        _lastTypeRef = _strings[type] + 2;
    }

    private void WriteRef(string? text)
    {
        if (text is null)
        {
            WriteUnsigned(0);
        }
        else if (_strings.TryGetValue(text, out var index))
        {
            WriteUnsigned((ulong)index + 2);
        }
        else
        {
            _strings.Add(text, _strings.Count);
            WriteUnsigned(1);
            WriteText(text);
        }
    }

    private void WriteText(string text)
    {
        var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length) + 10);
        var length = Encoding.UTF8.GetBytes(text, span[5..]);
        var prefix = Varint.Write(span, (ulong)length);
        if (prefix != 5)
        {
            span.Slice(5, length).CopyTo(span[prefix..]);
        }

        _buffer.Advance(prefix + length);
    }

    private void WriteSigned(long value) => WriteUnsigned((ulong)((value << 1) ^ (value >> 63)));

    private void WriteUnsigned(ulong value) => _buffer.Advance(Varint.Write(_buffer.GetSpan(10), value));

    private void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}

/// <summary>One reading of an append: the record it came from and its index in that record's readings.</summary>
internal readonly record struct ReadingRef(int Record, int Reading);

/// <summary>LEB128 unsigned varints: seven bits per byte, low bits first, high bit set on every byte but the last.</summary>
internal static class Varint
{
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
