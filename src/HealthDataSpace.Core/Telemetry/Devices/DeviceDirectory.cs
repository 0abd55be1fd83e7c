using System.Collections.Concurrent;

namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>
/// Registrations with their keys opened, cached for the ingest path (one lookup per message must not be a database
/// round trip). Changes made through this gateway take effect at once; changes made by another replica sharing the
/// database within <see cref="CacheLifetime"/>.
/// </summary>
internal sealed class DeviceDirectory(IDeviceRegistry registry, DeviceKeyProtector protector, TimeProvider time, TimeSpan cacheLifetime)
{
    // Unknown ids are cached too (a misconfigured device retries constantly), so the cache is capped.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public TimeSpan CacheLifetime => cacheLifetime;

    /// <summary>The device, revoked or not, or null when no device has that id.</summary>
    public async ValueTask<DeviceAccess?> FindAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(deviceId, out var entry) && now < entry.ExpiresAt)
        {
            return entry.Access;
        }

        var registration = await registry.FindAsync(deviceId, cancellationToken);
        var access = registration is null ? null : new DeviceAccess(registration, protector.Open(deviceId, registration.SealedKeys));
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear();
        }

        _cache[deviceId] = new Entry(access, now + (long)(cacheLifetime.TotalSeconds * time.TimestampFrequency));
        return access;
    }

    /// <summary>Forgets what is cached about a device, after it changed.</summary>
    public void Invalidate(string deviceId) => _cache.TryRemove(deviceId, out _);

    private sealed record Entry(DeviceAccess? Access, long ExpiresAt);
}
