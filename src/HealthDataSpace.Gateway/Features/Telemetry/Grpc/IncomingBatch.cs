using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Ingest;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// A <c>TelemetryBatch</c> as the gateway reads it: the device messages that could be read, and the messages refused
/// already here (an unreadable timestamp).
/// </summary>
internal sealed record IncomingBatch(string BatchId, List<DeviceMessage> Messages, List<MessageRejection> Rejected);
