using System.Diagnostics;
using HealthDataSpace.Benchmarks.Infrastructure;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// How far the gateway's Observation projection trails ingestion: it reads the gateway's own telemetry database
/// (read-only, beside the running gateway) and compares the projection's checkpoint with the newest reading. The
/// benchmark waits for it after each gateway pass, so the next pass starts on an idle gateway and the projection's
/// CPU is counted with the readings that caused it.
/// </summary>
internal sealed class ProjectionProbe(string gatewayDataPath)
{
    private const string Consumer = "observation-projection";

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(gatewayDataPath, "telemetry.db"),
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = false,
    }.ToString();

    /// <summary>Waits until every stored reading is folded into Observations; returns how long that took.</summary>
    public async Task<TimeSpan> WaitUntilCaughtUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (await LagAsync(cancellationToken) > 0)
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new BenchmarkFailedException($"The Observation projection did not catch up within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private async Task<long> LagAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The newest reading's sequence: the last block's first sequence plus its readings, less one (block format).
        command.CommandText = "SELECT coalesce((SELECT first_seq + readings - 1 FROM telemetry_blocks ORDER BY first_seq DESC LIMIT 1), 0) "
                              + "- coalesce((SELECT seq FROM telemetry_checkpoints WHERE consumer = $consumer), 0)";
        command.Parameters.AddWithValue("$consumer", Consumer);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
