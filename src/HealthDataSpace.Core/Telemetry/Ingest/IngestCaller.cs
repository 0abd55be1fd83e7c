namespace HealthDataSpace.Core.Telemetry.Ingest;

/// <summary>Who sends telemetry, as authenticated by the adapter (gRPC metadata, MQTT CONNECT).</summary>
internal abstract record IngestCaller
{
    private IngestCaller()
    {
    }

    /// <summary>A device with a SAS token: it may send only its own readings.</summary>
    public sealed record Device(string DeviceId) : IngestCaller;

    /// <summary>An edge gateway with a Bearer token (role Device): it may send for devices registered with its client id.</summary>
    public sealed record EdgeGateway(string ClientId) : IngestCaller;
}

/// <summary>One refused message and why (never quoting its content).</summary>
internal readonly record struct MessageRejection(string MessageId, string Reason);

/// <summary>What became of a batch: stored now, already stored earlier, refused.</summary>
internal sealed record IngestOutcome(int Accepted, int Duplicates, IReadOnlyList<MessageRejection> Rejected);

/// <summary>The reasons a message is refused before normalisation; the normaliser adds its own.</summary>
internal static class RejectionReasons
{
    public const string UnknownDevice = "unknown device";
    public const string UnknownOrNotGatewayDevice = "unknown device, or not registered to this gateway";
    public const string Revoked = "device revoked";
    public const string OtherDevice = "a device may send only its own readings (device_id differs from the authenticated device)";
    public const string NoBody = "message has neither measurements nor a JSON payload";
    public const string NormalizerFailed = "the payload could not be normalised";
    public const string MessageIdTooLong = "message_id is longer than 128 characters";

    public static string BodyTooLarge(int maxBytes) => $"body is larger than {maxBytes} bytes";

    public static string BatchTooLarge(int maxMessages) => $"batch has more than {maxMessages} messages; split it";
}
