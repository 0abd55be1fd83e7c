using System.Text;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Decodes a block written by <see cref="ReadingBlockWriter"/> into stored readings; the i-th reading's sequence is the
/// block's first sequence + i. Anything that is not a well-formed block (a version this code does not know, a block
/// cut short, a count that does not match) is a <see cref="FormatException"/>, which readers such as the research
/// feeder tell apart from a database failure and step over.
/// </summary>
internal static class ReadingBlockReader
{
    /// <summary>Adds the block's readings with a sequence above <paramref name="afterSequence"/> to <paramref name="output"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> data, long firstSequence, long expectedCount, string deviceId, long afterSequence,
        List<StoredReading> output)
    {
        try
        {
            DecodeCore(data, firstSequence, expectedCount, deviceId, afterSequence, output);
        }
        catch (Exception error) when (error is IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new FormatException("A stored telemetry block is corrupt.", error);
        }
    }

    private static void DecodeCore(ReadOnlySpan<byte> data, long firstSequence, long expectedCount, string deviceId, long afterSequence,
        List<StoredReading> output)
    {
        var cursor = new SpanCursor(data);
        if (data.IsEmpty || cursor.Byte() != ReadingBlockWriter.Version)
        {
            throw new FormatException("A stored telemetry block has an unknown format.");
        }

        var messages = new string[checked((int)cursor.Count(data.Length))];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = cursor.Text();
        }

        var count = cursor.Count(data.Length);
        if (count != expectedCount)
        {
            throw new FormatException("A stored telemetry block does not hold the readings its row says.");
        }

        var strings = new List<string>();
        var time = 0L;
        for (var i = 0L; i < count; i++)
        {
            var message = messages[checked((int)cursor.Count(messages.Length - 1))];
            var type = cursor.Ref(strings) ?? throw new FormatException("A stored telemetry reading has no type.");
            time += cursor.Signed();
            var values = new ReadingValue[checked((int)cursor.Count(data.Length))];
            for (var v = 0; v < values.Length; v++)
            {
                var name = cursor.Ref(strings) ?? throw new FormatException("A stored telemetry value has no name.");
                values[v] = new ReadingValue(name, cursor.Text());
            }

            var correlation = cursor.Ref(strings);
            var sequence = firstSequence + i;
            if (sequence > afterSequence)
            {
                output.Add(new StoredReading(sequence, deviceId, message,
                    new NormalizedReading(type, TelemetrySchema.FromMicros(time), values, correlation)));
            }
        }

        if (!cursor.AtEnd)
        {
            throw new FormatException("A stored telemetry block has bytes after its last reading.");
        }
    }

    private ref struct SpanCursor(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte Byte() => _data[_position++];

        public ulong Unsigned()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 63)
                {
                    throw new FormatException("A stored telemetry block has an overlong number.");
                }

                var b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        public long Signed()
        {
            var raw = Unsigned();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        /// <summary>A count or index that cannot exceed <paramref name="max"/> (the block's length bounds every count).</summary>
        public long Count(long max)
        {
            var value = Unsigned();
            return value > (ulong)max ? throw new FormatException("A stored telemetry block has a count out of range.") : (long)value;
        }

        public string Text()
        {
            var length = (int)Count(_data.Length - _position);
            var text = Encoding.UTF8.GetString(_data.Slice(_position, length));
            _position += length;
            return text;
        }

        public string? Ref(List<string> strings)
        {
            var reference = Count(strings.Count + 1L);
            switch (reference)
            {
                case 0:
                    return null;
                case 1:
                    var text = Text();
                    strings.Add(text);
                    return text;
                default:
                    return strings[(int)reference - 2];
            }
        }
    }
}
