using System.Buffers;
using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Telemetry;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>A reading's named values as stored: a compact JSON array of [name, value] pairs, in order.</summary>
internal static class ReadingValuesJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string Write(IReadOnlyList<ReadingValue> values)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        WriteUtf8(buffer, values);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, IReadOnlyList<ReadingValue> values)
    {
        var json = t_writer;
        if (json is null)
        {
            t_writer = json = new Utf8JsonWriter(output);
        }
        else
        {
            json.Reset(output);
        }

        json.WriteStartArray();
        foreach (var value in values)
        {
            json.WriteStartArray();
            json.WriteStringValue(value.Name);
            json.WriteStringValue(value.Value);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.Flush();
    }

    public static IReadOnlyList<ReadingValue> Read(string stored) => Read(Encoding.UTF8.GetBytes(stored));

    public static IReadOnlyList<ReadingValue> Read(ReadOnlySpan<byte> stored)
    {
        var values = new List<ReadingValue>(1);
        var reader = new Utf8JsonReader(stored);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            var name = reader.GetString() ?? string.Empty;
            reader.Read();
            var value = reader.GetString() ?? string.Empty;
            reader.Read();
            values.Add(new ReadingValue(name, value));
        }

        return values;
    }
}
