using System.Threading.Channels;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Core.Telemetry.Ingest;

/// <summary>
/// Group commit: every ingest adapter (gRPC streams, MQTT connections) hands its accepted records to one bounded
/// queue; a single loop takes everything queued (up to <see cref="TelemetryOptions.MaxMessagesPerCommit"/>), stores it
/// in one transaction, and only then completes each waiter. One fsync serves many streams, and no ack is ever sent
/// for data that is not durable. When the queue stays full for <see cref="TelemetryOptions.QueueTimeout"/>, the
/// caller gets <see cref="TelemetryOverloadedException"/> instead of unbounded buffering.
/// </summary>
internal sealed class TelemetryWriter
{
    private readonly ITelemetryStore _store;
    private readonly TelemetryOptions _options;
    private readonly Channel<PendingWrite> _queue;

    public TelemetryWriter(ITelemetryStore store, TelemetryOptions options)
    {
        _store = store;
        _options = options;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Raised (on the writer loop) after each commit with the number of new messages; the projection listens.</summary>
    public event Action<int>? Committed;

    /// <summary>Statistics for operators: commits so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Batches waiting for the writer now (not counting the commit in progress).</summary>
    public int QueuedBatches => _queue.Reader.Count;

    private long _commits;

    /// <summary>
    /// Queues records for the next commit. The returned task completes with one flag per record (true = stored now,
    /// false = duplicate) once the commit is durable, or fails with the store's error.
    /// </summary>
    /// <exception cref="TelemetryOverloadedException">No room in the queue within the configured wait.</exception>
    public async ValueTask<Task<bool[]>> EnqueueAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.FromResult(Array.Empty<bool>());
        }

        var pending = new PendingWrite(records);
        if (_queue.Writer.TryWrite(pending))
        {
            return pending.Completion.Task;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.QueueTimeout);
        try
        {
            await _queue.Writer.WriteAsync(pending, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TelemetryOverloadedException();
        }
        catch (ChannelClosedException)
        {
            throw new TelemetryOverloadedException("The gateway is shutting down; nothing of this batch was stored. Retry it.");
        }

        return pending.Completion.Task;
    }

    /// <summary>The single writer loop; runs until <paramref name="stopping"/> and then drains what is queued.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var reader = _queue.Reader;
        var group = new List<PendingWrite>();
        var records = new List<TelemetryRecord>();
        using var registration = stopping.Register(() => _queue.Writer.TryComplete());
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            records.Clear();
            while (records.Count < _options.MaxMessagesPerCommit && reader.TryRead(out var next))
            {
                group.Add(next);
                records.AddRange(next.Records);
            }

            await CommitAsync(group, records);
        }
    }

    private async Task CommitAsync(List<PendingWrite> group, List<TelemetryRecord> records)
    {
        bool[] stored;
        try
        {
            // Not cancellable: a commit in flight finishes even during shutdown, so its waiters learn the truth.
            stored = await _store.AppendAsync(records, CancellationToken.None);
        }
        catch (Exception e)
        {
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(e);
            }

            return;
        }

        Interlocked.Increment(ref _commits);
        var offset = 0;
        var fresh = 0;
        foreach (var pending in group)
        {
            var flags = stored.AsSpan(offset, pending.Records.Count).ToArray();
            offset += flags.Length;
            foreach (var flag in flags)
            {
                fresh += flag ? 1 : 0;
            }

            pending.Completion.TrySetResult(flags);
        }

        if (fresh > 0)
        {
            Committed?.Invoke(fresh);
        }
    }

    private sealed class PendingWrite(IReadOnlyList<TelemetryRecord> records)
    {
        public IReadOnlyList<TelemetryRecord> Records { get; } = records;

        // Continuations run off the writer loop, so the next commit is not held up by ack writing.
        public TaskCompletionSource<bool[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
