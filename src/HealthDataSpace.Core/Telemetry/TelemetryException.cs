namespace HealthDataSpace.Core.Telemetry;

/// <summary>
/// A telemetry request refused, with the HTTP status to answer it with (REST answers ProblemDetails). The message is
/// shown to the caller, so it never contains keys, tokens, payloads or patient data.
/// </summary>
public sealed class TelemetryException : Exception
{
    public TelemetryException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    public TelemetryException()
        : this(500, "Telemetry processing failed.")
    {
    }

    public TelemetryException(string message)
        : this(400, message)
    {
    }

    public TelemetryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
    }

    public int Status { get; }

    public static TelemetryException BadRequest(string message) => new(400, message);

    public static TelemetryException NotFound(string message) => new(404, message);

    public static TelemetryException Conflict(string message) => new(409, message);

    public static TelemetryException Unprocessable(string message) => new(422, message);
}

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
