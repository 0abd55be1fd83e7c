namespace HealthDataSpace.Gateway.Features.Telemetry.Mqtt;

/// <summary>
/// The IoT Hub device-to-cloud topic <c>devices/{deviceId}/messages/events/{property bag}</c>. The property bag is
/// url-encoded <c>key=value</c> pairs joined by <c>&amp;</c>; keys starting <c>$.</c> are system properties
/// (<c>$.mid</c> message id, <c>$.cid</c> correlation id, <c>$.ct</c> content type, <c>$.ce</c> content encoding).
/// </summary>
internal sealed record IotHubTopic(IReadOnlyDictionary<string, string> SystemProperties, IReadOnlyDictionary<string, string> Properties)
{
    public const string MessageIdProperty = "$.mid";
    public const string CreationTimeProperty = "iothub-creation-time-utc";

    public string? MessageId => SystemProperties.GetValueOrDefault(MessageIdProperty);

    public static string EventsPrefix(string deviceId) => $"devices/{deviceId}/messages/events";

    /// <summary>Parses a publish topic of <paramref name="deviceId"/>; null when it is any other topic.</summary>
    public static IotHubTopic? Parse(string? topic, string deviceId)
    {
        var prefix = EventsPrefix(deviceId);
        if (topic is null || !topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = topic.AsSpan(prefix.Length);
        if (rest.Length > 0 && rest[0] != '/')
        {
            return null;
        }

        var system = new Dictionary<string, string>(StringComparer.Ordinal);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var bag = rest.Length > 1 ? rest[1..].ToString() : string.Empty;
        foreach (var pair in bag.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            (key.StartsWith("$.", StringComparison.Ordinal) ? system : properties)[key] = value;
        }

        return new IotHubTopic(system, properties);
    }
}
