using System.Buffers.Binary;
using System.Text;
using global::Grpc.Core;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// The protobuf wire format (varints, fixed 64-bit, length-delimited fields), read forward over one span with the
/// rules of the generated parsers: tags and lengths are 32-bit, strings must be valid UTF-8, unknown fields and groups
/// are skipped, and nesting (messages plus skipped groups) stops at their depth limit of 100. Anything truncated or
/// impossible ends the call with INVALID_ARGUMENT naming what could not be read, never quoting the bytes.
/// <paramref name="depth"/> is how deep the span's message sits (the batch is 0).
/// </summary>
internal ref struct ProtoWireReader(ReadOnlySpan<byte> buffer, int depth)
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    private const int WireStartGroup = 3;
    private const int WireEndGroup = 4;
    private const int WireFixed32 = 5;

    // The generated parsers' recursion limit, counting messages and groups together.
    private const int MaxDepth = 100;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private readonly int _depth = depth;
    private int _position;

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>The next field's tag (field number &lt;&lt; 3 | wire type).</summary>
    public uint ReadTag()
    {
        // As generated: a tag is a 32-bit varint; bits beyond 32 of a longer encoding are dropped.
        var tag = (uint)ReadVarint64();
        if (tag >> 3 == 0 || (tag & 7) > WireFixed32)
        {
            throw Malformed("a field tag is invalid");
        }

        return tag;
    }

    public ulong ReadVarint64()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                throw Malformed("a number is cut off");
            }

            var b = _buffer[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("a number is longer than ten bytes");
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        // As generated: a length is a 32-bit varint read as a signed int.
        var length = (int)(uint)ReadVarint64();
        if (length < 0)
        {
            throw Malformed("a field has a negative length");
        }

        if (length > _buffer.Length - _position)
        {
            throw Malformed("a field is longer than what is left of the message");
        }

        var field = _buffer.Slice(_position, length);
        _position += length;
        return field;
    }

    public string ReadString() => Decode(ReadLengthDelimited());

    /// <summary>UTF-8 as the generated parsers decode it: invalid sequences refuse the request.</summary>
    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return utf8.IsEmpty ? string.Empty : StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("a string is not valid UTF-8");
        }
    }

    /// <summary>Skips the value of a field this reader does not know (any wire type, groups included).</summary>
    public void Skip(uint tag) => Skip(tag, _depth);

    public static RpcException Malformed(string what) =>
        new(new Status(StatusCode.InvalidArgument, $"The request is not a readable TelemetryBatch: {what}."));

    private ulong ReadFixed64()
    {
        if (_buffer.Length - _position < 8)
        {
            throw Malformed("a 64-bit value is cut off");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    private void Skip(uint tag, int depth)
    {
        switch ((int)(tag & 7))
        {
            case WireVarint:
                ReadVarint64();
                break;
            case WireFixed64:
                ReadFixed64();
                break;
            case WireLengthDelimited:
                ReadLengthDelimited();
                break;
            case WireFixed32:
                if (_buffer.Length - _position < 4)
                {
                    throw Malformed("a 32-bit value is cut off");
                }

                _position += 4;
                break;
            case WireStartGroup:
                SkipGroup(tag >> 3, depth);
                break;
            default:
                throw Malformed("a group ends that never started");
        }
    }

    /// <param name="depth">How deep the group's start sits (its enclosing message or group).</param>
    private void SkipGroup(uint fieldNumber, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw Malformed("groups are nested too deeply");
        }

        depth++;
        while (true)
        {
            if (IsAtEnd)
            {
                throw Malformed("a group is not closed");
            }

            var tag = ReadTag();
            if ((tag & 7) == WireEndGroup)
            {
                if (tag >> 3 != fieldNumber)
                {
                    throw Malformed("a group is closed by the wrong field");
                }

                return;
            }

            Skip(tag, depth);
        }
    }
}
