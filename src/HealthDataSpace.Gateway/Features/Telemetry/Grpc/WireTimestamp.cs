namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// A <c>google.protobuf.Timestamp</c> as read off the wire. Unset is <c>default</c> time (the gateway fills it in);
/// set but outside what <c>Timestamp.ToDateTimeOffset</c> accepts (nanos outside 0–999,999,999, seconds outside years
/// 1–9999) is invalid, exactly as with the generated type.
/// </summary>
internal readonly record struct WireTimestamp(long Seconds, int Nanos, bool IsSet)
{
    private const uint SecondsTag = (1 << 3) | ProtoWireReader.WireVarint;
    private const uint NanosTag = (2 << 3) | ProtoWireReader.WireVarint;
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    /// <summary>This timestamp with the fields of another occurrence of it laid over (protobuf merge).</summary>
    /// <param name="depth">How deep the timestamp sits (see <see cref="ProtoWireReader"/>).</param>
    public WireTimestamp MergeFrom(ReadOnlySpan<byte> bytes, int depth)
    {
        var (seconds, nanos) = (Seconds, Nanos);
        var reader = new ProtoWireReader(bytes, depth);
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case SecondsTag:
                    seconds = (long)reader.ReadVarint64();
                    break;
                case NanosTag:
                    nanos = (int)reader.ReadVarint64();
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return new WireTimestamp(seconds, nanos, IsSet: true);
    }

    public bool TryGetTime(out DateTimeOffset time)
    {
        time = default;
        if (!IsSet)
        {
            return true;
        }

        if (Nanos is < 0 or > 999_999_999 || Seconds is < MinSeconds or > MaxSeconds)
        {
            return false;
        }

        time = new DateTimeOffset(DateTime.UnixEpoch.Ticks + (Seconds * TimeSpan.TicksPerSecond) + (Nanos / 100), TimeSpan.Zero);
        return true;
    }
}
