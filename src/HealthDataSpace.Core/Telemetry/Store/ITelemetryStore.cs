namespace HealthDataSpace.Core.Telemetry.Store;

/// <summary>
/// One accepted message to store: the raw body as the device sent it (empty for gRPC structured measurements) and
/// the readings normalisation made of it.
/// </summary>
internal sealed record TelemetryRecord(
    string DeviceId,
    string MessageId,
    DateTimeOffset EnqueuedTime,
    DateTimeOffset ReceivedTime,
    ReadOnlyMemory<byte> Body,
    IReadOnlyList<NormalizedReading> Readings);

/// <summary>A stored reading with its position in the store's append order.</summary>
internal sealed record StoredReading(long Sequence, string DeviceId, string MessageId, NormalizedReading Reading);

/// <summary>Where the next page of a reading query starts: after this (time, sequence) pair.</summary>
internal readonly record struct ReadingCursor(long TimeMicros, long Sequence);

/// <summary>
/// A device's readings in time order (ties in append order), optionally of one type and within
/// [<paramref name="From"/>, <paramref name="To"/>).
/// </summary>
internal sealed record ReadingQuery(string DeviceId, string? Type, DateTimeOffset? From, DateTimeOffset? To, ReadingCursor? After, int Limit);

internal sealed record ReadingPage(IReadOnlyList<StoredReading> Readings, ReadingCursor? Next);

/// <summary>
/// The telemetry store (SQLite beside the FHIR store, or PostgreSQL). Messages are unique on (device id, message id);
/// every reading is stored once, with a sequence number that grows in commit order, so a consumer that remembers the
/// last sequence it saw (<see cref="ReadAfterAsync"/>) misses nothing and sees nothing twice.
/// </summary>
internal interface ITelemetryStore
{
    /// <summary>Creates or upgrades the schema (telemetry and device registry). Safe on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the records in one durable transaction. Returns, per record, whether it was new; false means a
    /// message with the same (device id, message id) was stored before, or earlier in the same list.
    /// </summary>
    Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken);

    Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken);

    /// <summary>Readings with a sequence above <paramref name="afterSequence"/>, in sequence order.</summary>
    Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>A consumer's saved position (0 when it has none).</summary>
    Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken);

    Task SetCheckpointAsync(string consumer, long sequence, CancellationToken cancellationToken);
}
