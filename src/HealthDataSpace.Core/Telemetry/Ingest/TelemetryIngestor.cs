using System.Security.Cryptography;
using System.Text;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Core.Telemetry.Ingest;

/// <summary>
/// The ingest path shared by gRPC and MQTT: authorise each message for the caller, normalise it with the device-content
/// templates, and hand what is accepted to the group-commit writer. A refused message never stops the others.
/// </summary>
internal sealed class TelemetryIngestor(
    DeviceDirectory directory,
    ITelemetryNormalizer normalizer,
    TelemetryWriter writer,
    TelemetryOptions options,
    TimeProvider time)
{
    public const int MaxMessageIdLength = 128;

    /// <summary>Ingests and waits until the accepted messages are durable.</summary>
    public async Task<IngestOutcome> IngestAsync(IngestCaller caller, IReadOnlyList<DeviceMessage> messages, CancellationToken cancellationToken) =>
        await await SubmitAsync(caller, messages, cancellationToken);

    /// <summary>
    /// Checks and normalises the messages and queues the accepted ones; the returned task completes when they are
    /// durable. Callers that pipeline (a gRPC stream) submit the next batch while this one commits.
    /// </summary>
    /// <exception cref="TelemetryOverloadedException">The writer's queue stayed full.</exception>
    public async ValueTask<Task<IngestOutcome>> SubmitAsync(IngestCaller caller, IReadOnlyList<DeviceMessage> messages,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(messages);
        var rejected = new List<MessageRejection>();
        if (messages.Count > options.MaxMessagesPerBatch)
        {
            var reason = RejectionReasons.BatchTooLarge(options.MaxMessagesPerBatch);
            rejected.AddRange(messages.Select(m => new MessageRejection(m.MessageId, reason)));
            return Task.FromResult(new IngestOutcome(0, 0, rejected));
        }

        var now = time.GetUtcNow();
        var records = new List<TelemetryRecord>(messages.Count);
        foreach (var message in messages)
        {
            var reason = await CheckAsync(caller, message, cancellationToken);
            if (reason is null)
            {
                var deviceId = message.DeviceId.Length == 0 && caller is IngestCaller.Device own ? own.DeviceId : message.DeviceId;
                // A copy only when the gateway fills something in: most messages name their device, id and time.
                var effective = message.DeviceId.Length != 0 && message.MessageId.Length != 0 && message.EnqueuedTime != default
                    ? message
                    : message with
                    {
                        DeviceId = deviceId,
                        MessageId = message.MessageId.Length == 0 ? DerivedMessageId(deviceId, message) : message.MessageId,
                        EnqueuedTime = message.EnqueuedTime == default ? now : message.EnqueuedTime,
                    };
                var normalized = Normalize(effective, now);
                if (normalized.IsRejected)
                {
                    reason = normalized.Rejection;
                }
                else
                {
                    records.Add(new TelemetryRecord(deviceId, effective.MessageId, effective.EnqueuedTime, now, message.JsonPayload, normalized.Readings));
                }
            }

            if (reason is not null)
            {
                rejected.Add(new MessageRejection(message.MessageId, reason));
            }
        }

        var stored = await writer.EnqueueAsync(records, cancellationToken);
        return Outcome(stored, rejected);
    }

    /// <summary>
    /// The de-duplication key of a message sent without an id: a hash of device and body, so that re-sending the same
    /// message is recognised as a duplicate.
    /// </summary>
    public static string DerivedMessageId(string deviceId, DeviceMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(deviceId));
        hash.AppendData([0]);
        if (message.Measurements is { } measurements)
        {
            var text = new StringBuilder();
            foreach (var m in measurements)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{m.Type}\u001f{m.Value:R}\u001f{m.Unit}\u001f{m.Time.UtcTicks}\u001e");
            }

            hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        }
        else
        {
            hash.AppendData(message.JsonPayload.Span);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private async ValueTask<string?> CheckAsync(IngestCaller caller, DeviceMessage message, CancellationToken cancellationToken)
    {
        var deviceId = message.DeviceId;
        if (caller is IngestCaller.Device own)
        {
            if (deviceId.Length != 0 && !string.Equals(deviceId, own.DeviceId, StringComparison.Ordinal))
            {
                return RejectionReasons.OtherDevice;
            }

            deviceId = own.DeviceId;
        }

        var unknown = caller is IngestCaller.EdgeGateway ? RejectionReasons.UnknownOrNotGatewayDevice : RejectionReasons.UnknownDevice;
        var access = DeviceIds.IsValid(deviceId) ? await directory.FindAsync(deviceId, cancellationToken) : null;
        if (access is null || (caller is IngestCaller.EdgeGateway gateway
                               && !string.Equals(access.Registration.Gateway, gateway.ClientId, StringComparison.Ordinal)))
        {
            return unknown;
        }

        if (access.Registration.IsRevoked)
        {
            return RejectionReasons.Revoked;
        }

        if (message.MessageId.Length > MaxMessageIdLength)
        {
            return RejectionReasons.MessageIdTooLong;
        }

        if (message.Measurements is null && message.JsonPayload.IsEmpty)
        {
            return RejectionReasons.NoBody;
        }

        return message.JsonPayload.Length > options.MaxMessageBytes ? RejectionReasons.BodyTooLarge(options.MaxMessageBytes) : null;
    }

    private NormalizationResult Normalize(DeviceMessage message, DateTimeOffset now)
    {
        try
        {
            return normalizer.Normalize(message, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A template that throws on odd input refuses that message only; the batch goes on.
            return NormalizationResult.Rejected(RejectionReasons.NormalizerFailed);
        }
    }

    private static async Task<IngestOutcome> Outcome(Task<bool[]> stored, List<MessageRejection> rejected)
    {
        var flags = await stored;
        var accepted = flags.Count(f => f);
        return new IngestOutcome(accepted, flags.Length - accepted, rejected);
    }
}
