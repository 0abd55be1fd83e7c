using System.Data.Common;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Core.Tests.Research;

/// <summary>
/// An in-memory telemetry store for the feeder's tests: readings with the sequence numbers given (gaps allowed), rows
/// that fail to decode like a corrupt stored value, and a database that is briefly down. Only reads are implemented;
/// the feeder never writes.
/// </summary>
internal sealed class ReadingsInMemory : ITelemetryStore
{
    private readonly SortedDictionary<long, StoredReading> _rows = [];

    /// <summary>Sequences whose row cannot be decoded: any read returning them fails.</summary>
    public HashSet<long> Corrupt { get; } = [];

    /// <summary>The next reads fail as an unreachable database does.</summary>
    public int Outages { get; set; }

    public int Reads { get; private set; }

    public void Add(long sequence, string device, string type, DateTimeOffset time, params (string Name, string Value)[] values) =>
        _rows[sequence] = new StoredReading(sequence, device, $"m{sequence}",
            new NormalizedReading(type, time, [.. values.Select(v => new ReadingValue(v.Name, v.Value))]));

    public Task<IReadOnlyList<StoredReading>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        Reads++;
        if (Outages > 0)
        {
            Outages--;
            throw new DatabaseDown();
        }

        var page = _rows.Values.Where(r => r.Sequence > afterSequence).Take(limit).ToList();
        return page.Any(r => Corrupt.Contains(r.Sequence))
            ? throw new System.Text.Json.JsonException("'x' is an invalid start of a value.")
            : Task.FromResult<IReadOnlyList<StoredReading>>(page);
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool[]> AppendAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The feeder only reads.");

    public Task<ReadingPage> QueryAsync(ReadingQuery query, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The feeder only reads in sequence order.");

    public Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The feeder keeps its position in memory.");

    public Task SetCheckpointAsync(string consumer, long sequence, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The feeder keeps its position in memory.");

    private sealed class DatabaseDown() : DbException("The database is not reachable.");
}

/// <summary>Registrations by device id, counting lookups; only what the feeder calls.</summary>
internal sealed class RegistrationsInMemory : IDeviceRegistry
{
    private readonly Dictionary<string, DeviceRegistration> _devices = new(StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public void Register(string device, string patientId, DateTimeOffset? revokedAt = null) =>
        _devices[device] = new DeviceRegistration(device, $"Patient/{patientId}", "fhir-" + device, null, "hospital", false, null,
            DateTimeOffset.UnixEpoch, revokedAt, []);

    public Task<DeviceRegistration?> FindAsync(string deviceId, CancellationToken cancellationToken)
    {
        Lookups++;
        return Task.FromResult(_devices.GetValueOrDefault(deviceId));
    }

    public Task<bool> TryAddAsync(DeviceRegistration registration, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Register devices with Register.");

    public Task SetFhirDeviceAsync(string deviceId, string fhirDeviceId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not used by the feeder.");

    public Task<bool> ReplaceKeysAsync(string deviceId, byte[] sealedKeys, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not used by the feeder.");

    public Task<bool> RevokeAsync(string deviceId, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Register a revoked device with Register.");

    public Task RemoveAsync(string deviceId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not used by the feeder.");
}
