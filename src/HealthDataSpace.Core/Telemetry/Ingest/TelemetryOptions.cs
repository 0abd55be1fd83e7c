using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Core.Telemetry.Ingest;

/// <summary>Limits of the ingest path (configuration section <c>Telemetry</c>).</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Batches waiting for the writer. With <see cref="MaxMessagesPerBatch"/> this bounds queued memory. Default 256.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 256;

    /// <summary>How long a batch may wait for room in the queue before the caller is told the store is overloaded. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most messages committed in one transaction (group commit takes whatever is queued, up to this). Default 20,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessagesPerCommit { get; set; } = 20_000;

    /// <summary>Most messages one TelemetryBatch may carry; a larger batch is refused message by message. Default 5,000.</summary>
    [Range(1, 100_000)]
    public int MaxMessagesPerBatch { get; set; } = 5_000;

    /// <summary>Largest device JSON body, in bytes (IoT Hub's limit: 256 KB). Default 262,144.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>Acks a gRPC stream may have outstanding (batches read but not yet durable). Default 16.</summary>
    [Range(1, 1024)]
    public int StreamWindow { get; set; } = 16;

    /// <summary>SQLite only: fsync every commit (FULL, default) or only WAL checkpoints (NORMAL: survives a crash of the
    /// gateway process, not of the machine).</summary>
    public bool SqliteFullSync { get; set; } = true;

    /// <summary>Largest page of <c>GET /telemetry/{deviceId}</c>. Default 10,000 (default page 1,000).</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 10_000;

    /// <summary>How long device registrations are cached by the ingest path; changes made on another replica take
    /// effect within this. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DeviceCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);
}
