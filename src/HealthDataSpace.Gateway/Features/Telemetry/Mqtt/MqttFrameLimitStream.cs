namespace HealthDataSpace.Gateway.Features.Telemetry.Mqtt;

/// <summary>
/// Reads an MQTT connection's bytes and follows its framing (fixed header, remaining length, body), failing the read as
/// soon as a packet announces more than <c>maxPacketBytes</c>. MQTTnet would otherwise allocate whatever a client
/// announces (up to 256 MB) before anyone could refuse it; here the connection is closed after a few bytes.
/// </summary>
internal sealed class MqttFrameLimitStream(Stream inner, int maxPacketBytes) : Stream
{
    private enum State
    {
        Type,
        Length,
        Body,
    }

    private State _state = State.Type;
    private int _length;
    private int _lengthBytes;
    private long _remaining;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Inspect(buffer.AsSpan(offset, read));
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Inspect(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Inspect(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.Type:
                    _state = State.Length;
                    _length = 0;
                    _lengthBytes = 0;
                    i++;
                    break;
                case State.Length:
                    var b = bytes[i++];
                    _length |= (b & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    if ((b & 0x80) != 0)
                    {
                        if (_lengthBytes == 4)
                        {
                            throw new IOException("Malformed MQTT remaining length.");
                        }

                        break;
                    }

                    if (_length > maxPacketBytes)
                    {
                        throw new IOException($"MQTT packet of {_length} bytes exceeds the limit of {maxPacketBytes} bytes.");
                    }

                    _remaining = _length;
                    _state = _remaining == 0 ? State.Type : State.Body;
                    break;
                default:
                    var skip = (int)Math.Min(_remaining, bytes.Length - i);
                    i += skip;
                    _remaining -= skip;
                    if (_remaining == 0)
                    {
                        _state = State.Type;
                    }

                    break;
            }
        }
    }
}
