using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Gateway.Tests.Telemetry.Doubles;

/// <summary>The real store behind a gate: appends wait until the test opens it, to make the store "slow" on demand.</summary>
internal sealed class GatedTelemetryStore(ITelemetryStore inner) : ITelemetryStore
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    public int Waiting => Volatile.Read(ref _waiting);

    public void Open() => _open.TrySetResult();

    public async Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        await _open.Task.WaitAsync(cancellationToken);
        return await inner.AppendAsync(records, cancellationToken);
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

    public Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        inner.ReadAfterAsync(afterSequence, limit, cancellationToken);

    public Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken) => inner.GetCheckpointAsync(consumer, cancellationToken);

    public Task SetCheckpointAsync(string consumer, long sequence, CancellationToken cancellationToken) =>
        inner.SetCheckpointAsync(consumer, sequence, cancellationToken);
}
