using System.Collections.Concurrent;

namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>
/// Open connections of devices (gRPC streams authenticated as one device, MQTT connections). Each takes a lease whose
/// token is cancelled when the device is revoked or its keys change, so the connection ends at once; MQTT additionally
/// listens to <see cref="Closing"/> to disconnect its clients.
/// </summary>
internal sealed class DeviceSessions
{
    private readonly ConcurrentDictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    /// <summary>Raised with a device id whose connections must end now.</summary>
    public event Action<string>? Closing;

    /// <summary>A lease for one open connection of <paramref name="deviceId"/>; dispose it when the connection ends.</summary>
    public DeviceLease Open(string deviceId)
    {
        while (true)
        {
            var holder = _holders.GetOrAdd(deviceId, static _ => new Holder());
            lock (holder)
            {
                // A holder that was just closed is being removed; take a fresh one.
                if (!holder.Closed)
                {
                    holder.Count++;
                    return new DeviceLease(this, deviceId, holder);
                }
            }
        }
    }

    /// <summary>Ends every open connection of the device.</summary>
    public void Close(string deviceId)
    {
        if (_holders.TryRemove(deviceId, out var holder))
        {
            lock (holder)
            {
                holder.Closed = true;
            }

            holder.Source.Cancel();
            holder.Source.Dispose();
        }

        Closing?.Invoke(deviceId);
    }

    private void Release(string deviceId, Holder holder)
    {
        lock (holder)
        {
            if (holder.Closed || --holder.Count > 0)
            {
                return;
            }

            holder.Closed = true;
        }

        _holders.TryRemove(new KeyValuePair<string, Holder>(deviceId, holder));
        holder.Source.Dispose();
    }

    internal sealed class Holder
    {
        public CancellationTokenSource Source { get; } = new();

        public int Count { get; set; }

        public bool Closed { get; set; }
    }

    /// <summary>One open connection's hold on its device; <see cref="Token"/> is cancelled when the device is closed.</summary>
    internal sealed class DeviceLease : IDisposable
    {
        private readonly DeviceSessions _owner;
        private readonly string _deviceId;
        private readonly Holder _holder;
        private int _disposed;

        internal DeviceLease(DeviceSessions owner, string deviceId, Holder holder)
        {
            _owner = owner;
            _deviceId = deviceId;
            _holder = holder;
            Token = holder.Source.Token;
        }

        public CancellationToken Token { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_deviceId, _holder);
            }
        }
    }
}
