namespace HealthDataSpace.Core.Telemetry;

/// <summary>
/// One message as a device (or an edge gateway for it) sent it, before normalisation. Exactly one of
/// <see cref="JsonPayload"/> (the device's own JSON, from MQTT or gRPC <c>json_payload</c>) and
/// <see cref="Measurements"/> (gRPC structured <c>measurements</c>) carries the body.
/// </summary>
internal sealed record DeviceMessage(
    string DeviceId,
    string MessageId,
    DateTimeOffset EnqueuedTime,
    ReadOnlyMemory<byte> JsonPayload,
    IReadOnlyList<DeviceMeasurement>? Measurements,
    IReadOnlyDictionary<string, string> Properties);

/// <summary>One structured gRPC measurement: blood pressure arrives as two of these sharing a time.</summary>
internal sealed record DeviceMeasurement(string Type, double Value, string? Unit, DateTimeOffset Time);
