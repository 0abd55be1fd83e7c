namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// Tables of the telemetry store and device registry. Times are microseconds since the Unix epoch (UTC), so both
/// databases order and compare them identically.
/// </summary>
internal static class TelemetrySchema
{
    /// <summary>
    /// One row per reading: PostgreSQL's tables, and SQLite's until its block format (<see cref="SqliteTelemetrySchema"/>).
    /// </summary>
    /// <param name="sequenceColumn">The readings' append-order key (SQLite rowid alias, PostgreSQL identity).</param>
    /// <param name="binary">BLOB or BYTEA.</param>
    /// <param name="messagesTableSuffix">SQLite's WITHOUT ROWID: the messages table is its primary key.</param>
    public static string Render(string sequenceColumn, string binary, string messagesTableSuffix) => $"""
        CREATE TABLE IF NOT EXISTS telemetry_messages (
            device_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            enqueued_us BIGINT NOT NULL,
            received_us BIGINT NOT NULL,
            body {binary} NULL,
            readings INTEGER NOT NULL,
            PRIMARY KEY (device_id, message_id)
        ){messagesTableSuffix};
        CREATE TABLE IF NOT EXISTS telemetry_readings (
            seq {sequenceColumn},
            device_id TEXT NOT NULL,
            type TEXT NOT NULL,
            time_us BIGINT NOT NULL,
            vals TEXT NOT NULL,
            message_id TEXT NOT NULL,
            correlation_id TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_telemetry_readings_device_time ON telemetry_readings (device_id, time_us, seq);
        {Shared(binary)}
        """;

    /// <summary>Consumers' checkpoints and the device registry: the same in every format.</summary>
    public static string Shared(string binary) => $"""
        CREATE TABLE IF NOT EXISTS telemetry_checkpoints (
            consumer TEXT NOT NULL PRIMARY KEY,
            seq BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS telemetry_devices (
            device_id TEXT NOT NULL PRIMARY KEY,
            patient_ref TEXT NOT NULL,
            fhir_device_id TEXT NULL,
            gateway TEXT NULL,
            owner TEXT NOT NULL,
            owner_is_steward INTEGER NOT NULL,
            type_json TEXT NULL,
            created_us BIGINT NOT NULL,
            revoked_us BIGINT NULL,
            sealed_keys {binary} NOT NULL
        )
        """;

    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicros(long micros) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
}
