using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Gateway.Tests.Telemetry.Doubles;

/// <summary>
/// The real store behind a gate: appends wait until the test opens it, to make the store "slow" on demand; or, once
/// the test calls <see cref="Fail"/>, every append fails as a broken disk would.
/// </summary>
internal sealed class GatedTelemetryStore(ITelemetryStore inner) : ITelemetryStore
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private int _recordsWaiting;
    private volatile bool _failing;

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Records held by appends waiting at the gate.</summary>
    public int RecordsWaiting => Volatile.Read(ref _recordsWaiting);

    public void Open() => _open.TrySetResult();

    /// <summary>Opens the gate with every append, waiting or later, failing with an I/O error.</summary>
    public void Fail()
    {
        _failing = true;
        Open();
    }

    public async Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        Interlocked.Add(ref _recordsWaiting, records.Count);
        await _open.Task.WaitAsync(cancellationToken);
        Interlocked.Add(ref _recordsWaiting, -records.Count);
        return _failing ? throw new IOException("The test's store refuses to write.") : await inner.AppendAsync(records, cancellationToken);
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

    public Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        inner.ReadAfterAsync(afterSequence, limit, cancellationToken);

    public Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken) => inner.GetCheckpointAsync(consumer, cancellationToken);

    public Task SetCheckpointAsync(string consumer, long sequence, CancellationToken cancellationToken) =>
        inner.SetCheckpointAsync(consumer, sequence, cancellationToken);
}
