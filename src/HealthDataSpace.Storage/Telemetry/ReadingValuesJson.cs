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

    public static string Write(IReadOnlyList<ReadingValue> values)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var value in values)
            {
                json.WriteStartArray();
                json.WriteStringValue(value.Name);
                json.WriteStringValue(value.Value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static IReadOnlyList<ReadingValue> Read(string stored)
    {
        var values = new List<ReadingValue>(2);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(stored));
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
