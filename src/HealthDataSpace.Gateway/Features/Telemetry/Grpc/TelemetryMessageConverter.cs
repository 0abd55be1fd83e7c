using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry.Ingest;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>Ingest outcomes to acks (batches are read by <see cref="TelemetryBatchReader"/>).</summary>
internal static class TelemetryMessageConverter
{
    public static IngestAck ToAck(string batchId, IngestOutcome outcome, List<MessageRejection> adapterRejections)
    {
        var ack = new IngestAck { BatchId = batchId, Accepted = outcome.Accepted, Duplicates = outcome.Duplicates };
        foreach (var rejection in adapterRejections.Concat(outcome.Rejected))
        {
            ack.Rejected.Add(new Rejection { MessageId = rejection.MessageId, Reason = rejection.Reason });
        }

        return ack;
    }
}
