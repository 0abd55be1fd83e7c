using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Storage.Telemetry;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// <c>telemetry-migration</c>: how long the start-up upgrade of a format-1 SQLite telemetry file (one row per reading)
/// to the block format takes. Writes a format-1 file with the old tables (4 devices, one reading per message, group
/// commits of 2,000 as the gateway made them, one reading per second per device), then times
/// <c>InitializeAsync</c> of the block-format store on it (synchronous=FULL), wall clock and process CPU, and reports
/// the file's size before and after (VACUUMed, so the old tables' pages are returned).
/// </summary>
internal static class MigrationBenchmark
{
    public static Command CreateCommand()
    {
        var readings = new Option<int>("--readings") { Description = "Readings in the format-1 file.", DefaultValueFactory = _ => 1_000_000 };
        var command = new Command("telemetry-migration", "Start-up upgrade of a format-1 telemetry.db to the block format (issue 3).") { readings };
        command.SetAction((p, ct) => RunAsync(p.GetValue(readings), ct));
        return command;
    }

    private static async Task<int> RunAsync(int readingCount, CancellationToken cancellationToken)
    {
        var machine = MachineFacts.Capture();
        var folder = Directory.CreateTempSubdirectory("hds-migration-");
        try
        {
            var path = Path.Combine(folder.FullName, "telemetry.db");
            await WriteFormat1Async(path, readingCount, cancellationToken);
            var bytesBefore = new FileInfo(path).Length;

            var store = new SqliteTelemetryStore(path, fullSync: true);
            var cpu = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            await store.InitializeAsync(cancellationToken);
            var wall = Stopwatch.GetElapsedTime(started);
            var cpuSpent = Environment.CpuUsage.TotalTime - cpu;
            var migrated = (await store.ReadAfterAsync(readingCount - 1, 10, cancellationToken)).Count;
            await using (var connection = await store.OpenAsync(cancellationToken))
            await using (var vacuum = connection.CreateCommand())
            {
                // What the same readings take in the block format, once the old tables' pages are given back.
                vacuum.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;";
                await vacuum.ExecuteNonQueryAsync(cancellationToken);
            }

            await store.DisposeAsync();
            var bytesAfter = new FileInfo(path).Length;

            Console.WriteLine("### Run");
            Console.WriteLine();
            foreach (var line in machine.Describe())
            {
                Console.WriteLine(line);
            }

            Console.WriteLine();
            Console.WriteLine("| readings | format-1 file MB | wall s | readings/s | CPU µs/reading | last reading readable | block-format file MB after VACUUM |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {readingCount:N0} | {bytesBefore / 1e6:F0} | {wall.TotalSeconds:F1} | {readingCount / wall.TotalSeconds:N0} | {cpuSpent.TotalMicroseconds / readingCount:F2} | {(migrated == 1 ? "yes" : "NO")} | {bytesAfter / 1e6:F0} |"));
            return migrated == 1 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The format-1 tables and rows, written as the previous store wrote them (plain SQL, one transaction per 2,000).</summary>
    private static async Task WriteFormat1Async(string path, int readingCount, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        foreach (var statement in ("PRAGMA journal_mode=WAL;" + TelemetrySchema.Render("INTEGER PRIMARY KEY", "BLOB", " WITHOUT ROWID"))
                     .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var create = connection.CreateCommand();
            create.CommandText = statement;
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        for (var first = 0; first < readingCount; first += 2_000)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var message = connection.CreateCommand();
            message.CommandText = "INSERT INTO telemetry_messages (device_id, message_id, enqueued_us, received_us, body, readings) VALUES ($d, $m, 0, 0, NULL, 1)";
            var messageDevice = message.Parameters.Add("$d", SqliteType.Text);
            var messageId = message.Parameters.Add("$m", SqliteType.Text);
            await using var reading = connection.CreateCommand();
            reading.CommandText = "INSERT INTO telemetry_readings (device_id, type, time_us, vals, message_id, correlation_id) VALUES ($d, 'heartrate', $t, $v, $m, NULL)";
            var readingDevice = reading.Parameters.Add("$d", SqliteType.Text);
            var time = reading.Parameters.Add("$t", SqliteType.Integer);
            var values = reading.Parameters.Add("$v", SqliteType.Text);
            var readingMessage = reading.Parameters.Add("$m", SqliteType.Text);
            for (var i = first; i < Math.Min(readingCount, first + 2_000); i++)
            {
                // Group commits of 500 messages per device, as four streams would interleave them.
                var device = $"bench-device-{i / 500 % 4}";
                var id = $"m{i}";
                messageDevice.Value = readingDevice.Value = device;
                messageId.Value = readingMessage.Value = id;
                time.Value = TelemetrySchema.ToMicros(start.AddSeconds(i / 4));
                values.Value = ReadingValuesJson.Write([new ReadingValue("hr", (60 + (i % 40)).ToString(CultureInfo.InvariantCulture))]);
                await message.ExecuteNonQueryAsync(cancellationToken);
                await reading.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }
}
