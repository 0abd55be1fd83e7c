namespace HealthDataSpace.Core.Telemetry;

/// <summary>
/// The durable writer's queue stayed full for longer than the configured wait: the store cannot keep up. gRPC answers
/// RESOURCE_EXHAUSTED, MQTT closes the connection without PUBACK; either way the client retries later.
/// </summary>
public sealed class TelemetryOverloadedException : Exception
{
    public TelemetryOverloadedException()
        : base("The telemetry store is overloaded; nothing of this batch was stored. Retry it after a pause.")
    {
    }

    public TelemetryOverloadedException(string message)
        : base(message)
    {
    }

    public TelemetryOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
