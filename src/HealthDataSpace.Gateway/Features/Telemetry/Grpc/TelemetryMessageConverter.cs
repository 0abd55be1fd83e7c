using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Ingest;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>Protobuf messages to the Core's device messages, and ingest outcomes to acks.</summary>
internal static class TelemetryMessageConverter
{
    private static readonly IReadOnlyDictionary<string, string> NoProperties = new Dictionary<string, string>();

    /// <summary>Converts what can be converted; a message with an unreadable timestamp is refused here already.</summary>
    public static (List<DeviceMessage> Messages, List<MessageRejection> Rejected) ToDeviceMessages(TelemetryBatch batch)
    {
        var messages = new List<DeviceMessage>(batch.Messages.Count);
        var rejected = new List<MessageRejection>();
        foreach (var message in batch.Messages)
        {
            if (!TryTime(message.EnqueuedTime, out var enqueued))
            {
                rejected.Add(new MessageRejection(message.MessageId, "enqueued_time is not a valid timestamp"));
                continue;
            }

            IReadOnlyList<DeviceMeasurement>? measurements = null;
            if (message.BodyCase == TelemetryMessage.BodyOneofCase.Measurements)
            {
                var items = new List<DeviceMeasurement>(message.Measurements.Items.Count);
                foreach (var item in message.Measurements.Items)
                {
                    if (!TryTime(item.Time, out var time))
                    {
                        break;
                    }

                    items.Add(new DeviceMeasurement(item.Type, item.Value, item.Unit.Length == 0 ? null : item.Unit,
                        time == default ? enqueued : time));
                }

                if (items.Count != message.Measurements.Items.Count)
                {
                    rejected.Add(new MessageRejection(message.MessageId, "a measurement time is not a valid timestamp"));
                    continue;
                }

                measurements = items;
            }

            var payload = message.BodyCase == TelemetryMessage.BodyOneofCase.JsonPayload ? message.JsonPayload.Memory : default;
            var properties = message.Properties.Count == 0 ? NoProperties : new Dictionary<string, string>(message.Properties);
            messages.Add(new DeviceMessage(message.DeviceId, message.MessageId, enqueued, payload, measurements, properties));
        }

        return (messages, rejected);
    }

    public static IngestAck ToAck(string batchId, IngestOutcome outcome, List<MessageRejection> adapterRejections)
    {
        var ack = new IngestAck { BatchId = batchId, Accepted = outcome.Accepted, Duplicates = outcome.Duplicates };
        foreach (var rejection in adapterRejections.Concat(outcome.Rejected))
        {
            ack.Rejected.Add(new Rejection { MessageId = rejection.MessageId, Reason = rejection.Reason });
        }

        return ack;
    }

    /// <summary>An unset timestamp is <c>default</c> (the gateway fills it in); an out-of-range one is invalid.</summary>
    private static bool TryTime(Google.Protobuf.WellKnownTypes.Timestamp? timestamp, out DateTimeOffset time)
    {
        time = default;
        if (timestamp is null)
        {
            return true;
        }

        try
        {
            time = timestamp.ToDateTimeOffset();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
