namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// Decodes short UTF-8 strings that repeat within a batch (device ids, measurement types and units) once: the last
/// few are kept and compared byte for byte, starting with the one that matched last (a batch is mostly runs of the
/// same value). Enough slots for an edge gateway interleaving several devices, or a message of several types and
/// units. Not thread-safe; one per batch being read.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Slots = 16;
    private const int MaxCachedBytes = 128;

    private readonly byte[][] _bytes = new byte[Slots][];
    private readonly string[] _strings = new string[Slots];
    private int _lastHit;
    private int _next;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        for (var probe = 0; probe < Slots; probe++)
        {
            var slot = (_lastHit + probe) % Slots;
            if (_bytes[slot] is not { } cached)
            {
                continue;
            }

            if (utf8.SequenceEqual(cached))
            {
                _lastHit = slot;
                return _strings[slot];
            }
        }

        var text = ProtoWireReader.Decode(utf8);
        if (utf8.Length <= MaxCachedBytes)
        {
            _bytes[_next] = utf8.ToArray();
            _strings[_next] = text;
            _lastHit = _next;
            _next = (_next + 1) % Slots;
        }

        return text;
    }
}
