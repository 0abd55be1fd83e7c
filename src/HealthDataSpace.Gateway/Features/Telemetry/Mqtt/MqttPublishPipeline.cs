using System.Collections;
using System.Net;

namespace HealthDataSpace.Gateway.Features.Telemetry.Mqtt;

/// <summary>
/// One MQTT connection's publishes between "accepted and queued for the group commit" and "PUBACK sent". MQTTnet
/// processes a connection's packets one at a time and sends the PUBACK as soon as the publish handler returns; waiting
/// there for the commit allowed one message in flight per connection. Instead the handler queues the message and
/// returns, the PUBACK is held back in MQTTnet's outbound interceptor until that message is durable, and the next
/// publish is processed meanwhile. PUBACKs leave in the order the publishes came (MQTTnet's send loop is sequential
/// and the writer commits in queue order), never before their message is committed, and not at all once a commit
/// failed: then the connection is closed and the device republishes what was not acknowledged.
/// </summary>
internal sealed class MqttPublishPipeline : IDisposable
{
    private static readonly object SessionKey = new();

    private readonly Queue<(ushort PacketId, Task Durable)> _awaitingPubAck = new();
    private readonly SemaphoreSlim _inFlight;
    private volatile bool _failed;

    private MqttPublishPipeline(EndPoint? connection, int maxInFlight)
    {
        Connection = connection;
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
    }

    /// <summary>
    /// The TCP connection (remote end point) this pipeline belongs to. A persistent session outlives its connection,
    /// and a device that reconnects takes its session over while the old connection may still be sending: its PUBACKs
    /// must not be matched against the new connection's messages.
    /// </summary>
    public EndPoint? Connection { get; }

    /// <summary>The packet id of the PUBLISH being processed (set when it arrives, read by the publish handler).</summary>
    public ushort CurrentPacketId { get; set; }

    /// <summary>A commit of one of this connection's messages failed: no further PUBACK may be sent.</summary>
    public bool Failed => _failed;

    /// <summary>A fresh pipeline for a new connection (a resumed session keeps its items, not its pipeline).</summary>
    public static MqttPublishPipeline Start(IDictionary sessionItems, EndPoint? connection, int maxInFlight)
    {
        ArgumentNullException.ThrowIfNull(sessionItems);
        // Session items are touched by this connection's receive loop only (MQTTnet keeps them in a concurrent map).
        var pipeline = new MqttPublishPipeline(connection, maxInFlight);
        (sessionItems[SessionKey] as MqttPublishPipeline)?.Dispose();
        sessionItems[SessionKey] = pipeline;
        return pipeline;
    }

    /// <summary>The pipeline of this connection, started now if the session has none or another connection's.</summary>
    public static MqttPublishPipeline For(IDictionary sessionItems, EndPoint? connection, int maxInFlight)
    {
        ArgumentNullException.ThrowIfNull(sessionItems);
        return sessionItems[SessionKey] is MqttPublishPipeline pipeline && Equals(pipeline.Connection, connection)
            ? pipeline
            : Start(sessionItems, connection, maxInFlight);
    }

    /// <summary>The session's current pipeline, or null when none was started.</summary>
    public static MqttPublishPipeline? Of(IDictionary sessionItems)
    {
        ArgumentNullException.ThrowIfNull(sessionItems);
        return sessionItems[SessionKey] as MqttPublishPipeline;
    }

    /// <summary>Waits until fewer than the maximum of this connection's messages are awaiting their commit.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken) => _inFlight.WaitAsync(cancellationToken);

    /// <summary>Gives back the room taken by <see cref="WaitForRoomAsync"/> for a message that was not queued.</summary>
    public void ReleaseRoom() => _inFlight.Release();

    /// <summary>
    /// Tracks a queued message: its room is given back when the commit ends; a failed commit marks the connection failed
    /// and runs <paramref name="onFailure"/>. A QoS 1 message is also remembered for its PUBACK.
    /// </summary>
    public void Track(Task durable, bool awaitsPubAck, Action onFailure)
    {
        if (awaitsPubAck)
        {
            lock (_awaitingPubAck)
            {
                _awaitingPubAck.Enqueue((CurrentPacketId, durable));
            }
        }

        _ = ObserveAsync(durable, onFailure);
    }

    /// <summary>A QoS 1 publish answered without storing anything (refused): its PUBACK still waits for those before it.</summary>
    public void TrackAnswered() => Track(Task.CompletedTask, awaitsPubAck: true, static () => { });

    /// <summary>
    /// Waits until the message a PUBACK acknowledges is durable. Returns false when the PUBACK must not be sent (a commit
    /// of this connection failed). A PUBACK for a packet this pipeline does not know is let through.
    /// </summary>
    public async Task<bool> WaitForPubAckAsync(ushort packetId, CancellationToken cancellationToken)
    {
        Task? durable = null;
        lock (_awaitingPubAck)
        {
            while (_awaitingPubAck.TryDequeue(out var entry))
            {
                if (entry.PacketId == packetId)
                {
                    durable = entry.Durable;
                    break;
                }
            }
        }

        if (durable is not null)
        {
            try
            {
                await durable.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _failed = true;
            }
        }

        return !_failed;
    }

    public void Dispose() => _inFlight.Dispose();

    private async Task ObserveAsync(Task durable, Action onFailure)
    {
        try
        {
            await durable;
        }
        catch (Exception)
        {
            // Reported by the failure action (the caller logs by type); the PUBACK waiting for it is withheld.
            _failed = true;
            onFailure();
        }
        finally
        {
            try
            {
                _inFlight.Release();
            }
            catch (ObjectDisposedException)
            {
                // The connection has gone and a new one took over the session.
            }
        }
    }
}
