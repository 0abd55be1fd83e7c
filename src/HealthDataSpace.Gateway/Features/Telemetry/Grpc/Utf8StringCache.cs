namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// Decodes short UTF-8 strings that repeat within a batch (a device id, measurement types and units) once: the last
/// few are kept and compared byte for byte. Not thread-safe; one per batch being read.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Slots = 4;
    private const int MaxCachedBytes = 128;

    private readonly byte[][] _bytes = new byte[Slots][];
    private readonly string[] _strings = new string[Slots];
    private int _next;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < Slots; i++)
        {
            if (_bytes[i] is { } cached && utf8.SequenceEqual(cached))
            {
                return _strings[i];
            }
        }

        var text = ProtoWireReader.Decode(utf8);
        if (utf8.Length <= MaxCachedBytes)
        {
            _bytes[_next] = utf8.ToArray();
            _strings[_next] = text;
            _next = (_next + 1) % Slots;
        }

        return text;
    }
}
