namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// SQLite's telemetry tables (format 2): readings packed into blocks, so an append costs one B-tree insert per message
/// (its de-duplication key) plus one per block, instead of three per reading.
/// <list type="bullet">
/// <item><c>telemetry_device_keys</c>: a small integer per device id, so keys repeat an integer, not the id's text.</item>
/// <item><c>telemetry_message_keys</c>: one row per accepted message, keyed (device, message id): a retried message hits
/// the key and counts as a duplicate, forever. Keys of one device sit together, in message id order, so a device's
/// increasing ids append to the same pages.</item>
/// <item><c>telemetry_blocks</c>: the readings of one device in one UTC hour from one commit (at most
/// <see cref="MaxReadingsPerBlock"/>), packed by <see cref="ReadingBlockWriter"/>. The block's rowid is the sequence of
/// its first reading; its readings have the sequences <c>first_seq</c> … <c>first_seq + readings − 1</c>, and sequences
/// grow in commit order. The index on (device, hour, min_us, max_us, readings) finds the blocks a time range overlaps.</item>
/// </list>
/// </summary>
internal static class SqliteTelemetrySchema
{
    /// <summary>Readings per block at most: bounds what a query decodes to return a small page.</summary>
    public const int MaxReadingsPerBlock = 2048;

    public const long MicrosPerBucket = 3_600_000_000;

    public static readonly string Tables = $"""
        CREATE TABLE IF NOT EXISTS telemetry_device_keys (
            device_key INTEGER PRIMARY KEY,
            device_id TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS telemetry_message_keys (
            device_key INTEGER NOT NULL,
            message_id TEXT NOT NULL,
            enqueued_us INTEGER NOT NULL,
            received_us INTEGER NOT NULL,
            body BLOB NULL,
            readings INTEGER NOT NULL,
            PRIMARY KEY (device_key, message_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS telemetry_blocks (
            first_seq INTEGER PRIMARY KEY,
            device_key INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            readings INTEGER NOT NULL,
            min_us INTEGER NOT NULL,
            max_us INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_telemetry_blocks_device_bucket ON telemetry_blocks (device_key, bucket, min_us, max_us, readings);
        {TelemetrySchema.Shared("BLOB")}
        """;

    /// <summary>The UTC hour a time falls in (floor division, so times before 1970 work too).</summary>
    public static long Bucket(long micros) => micros >= 0 ? micros / MicrosPerBucket : ((micros + 1) / MicrosPerBucket) - 1;
}
