using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// The event a MedTech template sees: <c>{"Body": device JSON, "Properties": {message properties},
/// "SystemProperties": {"iothub-connection-device-id", "iothub-enqueuedtime", "message-id"}}</c>, exactly the shape
/// of an IoT Hub message in MedTech, so <c>$.Body.heartRate</c>, <c>$..[?(@heartRate)]</c> and IotJsonPathContent's
/// fixed device-id and time expressions behave as there. System properties come from the authenticated sender, never
/// from the payload.
/// </summary>
internal static class DeviceEventEnvelope
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses the body; a reason (no payload text in it) when it is not one well-formed JSON value.</summary>
    public static JToken? ParseBody(ReadOnlySpan<byte> payload, int maxDepth, out string? rejection)
    {
        rejection = null;
        if (payload.StartsWith("\uFEFF"u8))
        {
            payload = payload[3..];
        }

        if (payload.IsEmpty)
        {
            rejection = "the payload is empty";
            return null;
        }

        // Newtonsoft accepts single quotes, bare names and comments; System.Text.Json's reader holds the payload to
        // RFC 8259 first (and is fast enough that the second pass costs little).
        if (!IsStrictJson(payload, maxDepth, out rejection))
        {
            return null;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            rejection = "the payload is not valid UTF-8";
            return null;
        }

        try
        {
            using var reader = new JsonTextReader(new StringReader(text))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Double,
                MaxDepth = maxDepth,
            };
            var body = JToken.ReadFrom(reader);
            if (reader.Read())
            {
                rejection = $"malformed JSON: content after the JSON value (line {reader.LineNumber}, position {reader.LinePosition})";
                return null;
            }

            return body;
        }
        catch (JsonReaderException e)
        {
            // Newtonsoft's message quotes the offending character; only the position goes into the reason.
            rejection = $"malformed JSON (line {e.LineNumber}, position {e.LinePosition})";
            return null;
        }
    }

    private static bool IsStrictJson(ReadOnlySpan<byte> payload, int maxDepth, out string? rejection)
    {
        var reader = new System.Text.Json.Utf8JsonReader(payload, new System.Text.Json.JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            while (reader.Read())
            {
            }

            rejection = null;
            return true;
        }
        catch (System.Text.Json.JsonException e)
        {
            rejection = $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
            return false;
        }
    }

    public static JObject Create(DeviceMessage message, JToken body)
    {
        var properties = new JObject();
        foreach (var (name, value) in message.Properties)
        {
            properties[name] = value;
        }

        return new JObject
        {
            ["Body"] = body,
            ["Properties"] = properties,
            ["SystemProperties"] = new JObject
            {
                ["iothub-connection-device-id"] = message.DeviceId,
                ["iothub-enqueuedtime"] = message.EnqueuedTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                ["message-id"] = message.MessageId,
            },
        };
    }
}
