using System.Net;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Core.Telemetry.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// The durable floor: the bare sink plus the one thing the delivery contract cannot do without — each message's
/// (device id, message id) key stored durably before its ack, so a retry is a duplicate. Nothing else: no auth, no
/// normalisation, no readings, no projection. Keys go into a two-column SQLite table (WAL, the gateway's
/// <c>synchronous</c> setting) through SQLite's own API, with the gateway's group commit (everything queued, up to
/// <see cref="TelemetryOptions.MaxMessagesPerCommit"/> messages, in one transaction) and its stream window. Device ids
/// map to integer keys in memory only (the gateway stores that map too, once per device). Its rate is the most any
/// gateway built on the embedded store could reach for the same load, so the gateway's gap to the bare sink splits
/// into what durability costs and what the gateway adds.
/// </summary>
internal sealed class DurableKeySink : IAsyncDisposable
{
    private readonly WebApplication _grpc;
    private readonly KeyWriter _writer;

    private DurableKeySink(WebApplication grpc, KeyWriter writer, int port)
    {
        _grpc = grpc;
        _writer = writer;
        GrpcAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri GrpcAddress { get; }

    public static async Task<DurableKeySink> StartAsync(int port, bool fullSync)
    {
        var writer = KeyWriter.Open(Path.Combine(Path.GetTempPath(), $"hds-floor-{Guid.NewGuid():N}"), fullSync);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
        builder.Services.AddSingleton(writer);
        var app = builder.Build();
        app.MapGrpcService<KeyStoringSink>();
        await app.StartAsync();
        return new DurableKeySink(app, writer, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _grpc.StopAsync();
        await _grpc.DisposeAsync();
        await _writer.DisposeAsync();
    }

    private sealed class KeyStoringSink(KeyWriter writer) : TelemetryIngest.TelemetryIngestBase
    {
        /// <summary>Reads on while earlier batches commit, up to the gateway's stream window; acks go out in order once
        /// durable. A failed commit ends the call, as in the gateway, rather than leave the client waiting for acks.</summary>
        public override async Task Stream(IAsyncStreamReader<TelemetryBatch> requestStream, IServerStreamWriter<IngestAck> responseStream,
            ServerCallContext context)
        {
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            var window = Channel.CreateBounded<(string BatchId, int Messages, Task<int> Stored)>(new TelemetryOptions().StreamWindow);
            var acks = Task.Run(async () =>
            {
                try
                {
                    await foreach (var (batchId, messages, stored) in window.Reader.ReadAllAsync(CancellationToken.None))
                    {
                        var accepted = await stored;
                        await responseStream.WriteAsync(new IngestAck { BatchId = batchId, Accepted = accepted, Duplicates = messages - accepted },
                            cancellation.Token);
                    }
                }
                catch
                {
                    await cancellation.CancelAsync();
                    throw;
                }
            }, CancellationToken.None);
            try
            {
                await foreach (var batch in requestStream.ReadAllAsync(cancellation.Token))
                {
                    // Only the keys wait for the commit, packed into three arrays: keeping whole batches alive until then
                    // would make this process's garbage collector, not durability, the floor.
                    await window.Writer.WriteAsync((batch.BatchId, batch.Messages.Count, writer.Submit(BatchKeys.Of(batch))), cancellation.Token);
                }
            }
            catch (OperationCanceledException) when (acks.IsFaulted)
            {
                // The ack task's failure below is the one to report.
            }
            finally
            {
                window.Writer.TryComplete();
            }

            await acks;
        }
    }

    /// <summary>A batch's message keys: device ids and UTF-8 message ids, packed.</summary>
    private sealed record BatchKeys(string[] DeviceIds, byte[] MessageIds, int[] Ends)
    {
        public static BatchKeys Of(TelemetryBatch batch)
        {
            var devices = new string[batch.Messages.Count];
            var ends = new int[batch.Messages.Count];
            var ids = new byte[batch.Messages.Sum(m => Encoding.UTF8.GetMaxByteCount(m.MessageId.Length))];
            var end = 0;
            for (var i = 0; i < devices.Length; i++)
            {
                devices[i] = batch.Messages[i].DeviceId;
                end += Encoding.UTF8.GetBytes(batch.Messages[i].MessageId, ids.AsSpan(end));
                ends[i] = end;
            }

            return new BatchKeys(devices, ids, ends);
        }
    }

    /// <summary>The single writer: one transaction per group of queued batches, then each batch's count of new keys.</summary>
    private sealed class KeyWriter : IAsyncDisposable
    {
        private static readonly int MaxMessagesPerCommit = new TelemetryOptions().MaxMessagesPerCommit;
        private readonly string _folder;
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _insert;
        private readonly Dictionary<string, long> _deviceKeys = new(StringComparer.Ordinal);
        private readonly Channel<(BatchKeys Keys, TaskCompletionSource<int> Stored)> _queue =
            Channel.CreateBounded<(BatchKeys, TaskCompletionSource<int>)>(new BoundedChannelOptions(1024) { SingleReader = true });
        private readonly Task _loop;

        private KeyWriter(string folder, SqliteConnection connection, sqlite3_stmt insert)
        {
            _folder = folder;
            _connection = connection;
            _insert = insert;
            _loop = Task.Run(RunAsync);
        }

        public static KeyWriter Open(string folder, bool fullSync)
        {
            Directory.CreateDirectory(folder);
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "keys.db"), Pooling = false }.ToString());
            connection.Open();
            using (var setup = connection.CreateCommand())
            {
                setup.CommandText = $"""
                    PRAGMA journal_mode=WAL; PRAGMA synchronous={(fullSync ? "FULL" : "NORMAL")}; PRAGMA cache_size=-16384;
                    CREATE TABLE message_keys (device_key INTEGER NOT NULL, message_id TEXT NOT NULL, PRIMARY KEY (device_key, message_id)) WITHOUT ROWID;
                    """;
                setup.ExecuteNonQuery();
            }

            Check(connection.Handle!, raw.sqlite3_prepare_v2(connection.Handle, "INSERT OR IGNORE INTO message_keys (device_key, message_id) VALUES (?1, ?2)",
                out var insert));
            return new KeyWriter(folder, connection, insert);
        }

        public Task<int> Submit(BatchKeys batch)
        {
            var stored = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_queue.Writer.TryWrite((batch, stored)))
            {
                return SubmitSlowAsync(batch, stored);
            }

            return stored.Task;
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            await _loop;
            raw.sqlite3_finalize(_insert);
            await _connection.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }

        private async Task<int> SubmitSlowAsync(BatchKeys batch, TaskCompletionSource<int> stored)
        {
            await _queue.Writer.WriteAsync((batch, stored));
            return await stored.Task;
        }

        private async Task RunAsync()
        {
            var group = new List<(BatchKeys Keys, TaskCompletionSource<int> Stored)>();
            while (await _queue.Reader.WaitToReadAsync())
            {
                var messages = 0;
                while (messages < MaxMessagesPerCommit && _queue.Reader.TryRead(out var next))
                {
                    group.Add(next);
                    messages += next.Keys.Ends.Length;
                }

                try
                {
                    var counts = Commit(group);
                    for (var i = 0; i < group.Count; i++)
                    {
                        group[i].Stored.TrySetResult(counts[i]);
                    }
                }
                catch (Exception e)
                {
                    // Every waiter learns of the failure (its stream then ends); the writer goes on with the next group.
                    raw.sqlite3_reset(_insert);
                    raw.sqlite3_exec(_connection.Handle, "ROLLBACK");
                    group.ForEach(p => p.Stored.TrySetException(e));
                }

                group.Clear();
            }
        }

        private int[] Commit(List<(BatchKeys Keys, TaskCompletionSource<int> Stored)> group)
        {
            var database = _connection.Handle!;
            Check(database, raw.sqlite3_exec(database, "BEGIN IMMEDIATE"));
            var counts = new int[group.Count];
            for (var i = 0; i < group.Count; i++)
            {
                var keys = group[i].Keys;
                for (var m = 0; m < keys.Ends.Length; m++)
                {
                    var start = m == 0 ? 0 : keys.Ends[m - 1];
                    Check(database, raw.sqlite3_bind_int64(_insert, 1, DeviceKey(keys.DeviceIds[m])));
                    Check(database, raw.sqlite3_bind_text(_insert, 2, keys.MessageIds.AsSpan(start, keys.Ends[m] - start)));
                    if (raw.sqlite3_step(_insert) != raw.SQLITE_DONE)
                    {
                        throw new InvalidOperationException(raw.sqlite3_errmsg(database).utf8_to_string());
                    }

                    counts[i] += raw.sqlite3_changes(database);
                    raw.sqlite3_reset(_insert);
                }
            }

            Check(database, raw.sqlite3_exec(database, "COMMIT"));
            return counts;
        }

        private long DeviceKey(string deviceId)
        {
            if (!_deviceKeys.TryGetValue(deviceId, out var key))
            {
                key = _deviceKeys.Count + 1;
                _deviceKeys.Add(deviceId, key);
            }

            return key;
        }

        private static void Check(sqlite3 database, int code)
        {
            if (code != raw.SQLITE_OK)
            {
                throw new InvalidOperationException($"SQLite {code}: {raw.sqlite3_errmsg(database).utf8_to_string()}");
            }
        }
    }
}
