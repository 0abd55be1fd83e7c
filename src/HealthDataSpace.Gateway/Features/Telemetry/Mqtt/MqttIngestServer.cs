using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Gateway.Features.Telemetry.Devices;
using HealthDataSpace.Gateway.Features.Telemetry.Grpc;
using Microsoft.Extensions.Options;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace HealthDataSpace.Gateway.Features.Telemetry.Mqtt;

/// <summary>
/// The MQTT endpoint in the Azure IoT Hub device dialect (docs/telemetry.md): CONNECT with client id = device id,
/// user name <c>{host}/{deviceId}/?api-version=…</c> and a SAS token as password; PUBLISH to
/// <c>devices/{deviceId}/messages/events/{property bag}</c> with QoS 0 or 1. A QoS 1 PUBACK is sent only after the
/// message is durable, while the connection's next publishes are already processed (<see cref="MqttPublishPipeline"/>).
/// QoS 2, another device's topic or a body over the limit close the connection, as IoT Hub does. Nothing is routed to
/// subscribers.
/// </summary>
internal sealed partial class MqttIngestServer(
    IOptions<MqttOptions> options,
    IOptions<DevicesOptions> devices,
    TelemetryOptions telemetry,
    DeviceDirectory directory,
    DeviceSessions sessions,
    IServiceProvider services,
    TimeProvider time,
    ILogger<MqttIngestServer> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;
    private MqttListener? _plain;
    private MqttListener? _tls;
    private X509Certificate2? _certificate;
    private TelemetryIngestor? _ingestor;

    /// <summary>The plain port actually bound.</summary>
    public int Port => _plain?.Port ?? 0;

    /// <summary>The TLS port actually bound, or 0 when TLS is not configured.</summary>
    public int TlsPort => _tls?.Port ?? 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolved at start, after start-up validation has named any missing setting (template files included).
        _ingestor = services.GetRequiredService<TelemetryIngestor>();
        var settings = options.Value;
        // Room for the topic (property bag included) and MQTT headers beside the largest accepted body.
        var maxPacketBytes = telemetry.MaxMessageBytes + 65_535 + 1024;
        _plain = new MqttListener(new IPEndPoint(IPAddress.Parse(settings.BindAddress), settings.Port), null, maxPacketBytes, logger);
        List<IMqttServerAdapter> listeners = [_plain];
        if (!string.IsNullOrWhiteSpace(settings.TlsCertificatePath))
        {
            _certificate = X509CertificateLoader.LoadPkcs12FromFile(settings.TlsCertificatePath, settings.TlsCertificatePassword);
            _tls = new MqttListener(new IPEndPoint(IPAddress.Parse(settings.BindAddress), settings.TlsPort), _certificate, maxPacketBytes, logger);
            listeners.Add(_tls);
        }

        var serverOptions = new MqttServerOptionsBuilder().WithoutDefaultEndpoint().Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, listeners, MqttNetNullLogger.Instance);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.ClientConnectedAsync += OnClientConnectedAsync;
        _server.InterceptingInboundPacketAsync += OnInboundPacketAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingOutboundPacketAsync += OnOutboundPacketAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        sessions.Closing += OnDeviceClosing;
        await _server.StartAsync();
        LogListening(logger, Port, TlsPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        sessions.Closing -= OnDeviceClosing;
        if (_server is not null)
        {
            await _server.StopAsync(new MqttServerStopOptions());
        }
    }

    public void Dispose()
    {
        _server?.Dispose();
        _plain?.Dispose();
        _tls?.Dispose();
        _certificate?.Dispose();
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        var hostName = devices.Value.HostName;
        var deviceId = args.ClientId;
        var userPrefix = $"{hostName}/{deviceId}/";
        var authenticated = DeviceIds.IsValid(deviceId)
                            && args.UserName?.StartsWith(userPrefix, StringComparison.OrdinalIgnoreCase) == true
                            && string.Equals(args.UserName[hostName.Length..userPrefix.Length], $"/{deviceId}/", StringComparison.Ordinal)
                            && (await SharedAccessSignatureHandler.AuthenticateAsync(directory, hostName, args.Password ?? string.Empty,
                                time.GetUtcNow(), args.CancellationToken)).DeviceId == deviceId;
        if (!authenticated)
        {
            LogRefused(logger);
            args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
        }
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        // Nothing is forwarded to subscribers or retained: the gateway is the only consumer of device messages.
        args.ProcessPublish = false;
        var message = args.ApplicationMessage;
        var topic = IotHubTopic.Parse(message.Topic, args.ClientId);
        if (topic is null || message.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce
            || message.Payload.Length > telemetry.MaxMessageBytes)
        {
            LogClosed(logger, message.QualityOfServiceLevel, topic is not null);
            args.CloseConnection = true;
            return;
        }

        var properties = new Dictionary<string, string>(topic.Properties, StringComparer.Ordinal);
        foreach (var property in message.UserProperties ?? [])
        {
            properties.TryAdd(property.Name, System.Text.Encoding.UTF8.GetString(property.ValueBuffer.Span));
        }

        var enqueued = properties.TryGetValue(IotHubTopic.CreationTimeProperty, out var created)
                       && DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : default;
        var deviceMessage = new DeviceMessage(args.ClientId, topic.MessageId ?? string.Empty, enqueued,
            System.Buffers.BuffersExtensions.ToArray(message.Payload), null, properties);
        // Started for this connection by the inbound interceptor when the PUBLISH arrived.
        var pipeline = MqttPublishPipeline.Of(args.SessionItems) ?? MqttPublishPipeline.Start(args.SessionItems, null, options.Value.MaxInFlightPerConnection);
        var awaitsPubAck = message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtLeastOnce;
        await pipeline.WaitForRoomAsync(args.CancellationToken);
        Task<IngestOutcome> durable;
        try
        {
            durable = await _ingestor!.SubmitAsync(new IngestCaller.Device(args.ClientId), [deviceMessage], args.CancellationToken);
        }
        catch (Exception e)
        {
            pipeline.ReleaseRoom();
            if (e is not (TelemetryOverloadedException or System.Data.Common.DbException or IOException))
            {
                throw;
            }

            // No PUBACK: the device keeps the message and publishes it again after reconnecting.
            LogNotStored(logger, e.GetType().Name);
            args.CloseConnection = true;
            return;
        }

        // Refusals are decided before anything is queued, so a refused message's outcome is already there.
        if (durable.IsCompletedSuccessfully && durable.Result.Rejected.Count > 0)
        {
            pipeline.ReleaseRoom();
            Refuse(args, durable.Result.Rejected[0].Reason);
            if (awaitsPubAck && !args.CloseConnection)
            {
                pipeline.TrackAnswered();
            }

            return;
        }

        var clientId = args.ClientId;
        pipeline.Track(durable, awaitsPubAck, () => OnCommitFailed(clientId, durable));
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs args)
    {
        MqttPublishPipeline.Start(args.SessionItems, args.RemoteEndPoint, options.Value.MaxInFlightPerConnection);
        return Task.CompletedTask;
    }

    private Task OnInboundPacketAsync(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttPublishPacket publish)
        {
            MqttPublishPipeline.For(args.SessionItems, args.RemoteEndPoint, options.Value.MaxInFlightPerConnection).CurrentPacketId = publish.PacketIdentifier;
        }

        return Task.CompletedTask;
    }

    private async Task OnOutboundPacketAsync(InterceptingPacketEventArgs args)
    {
        if (args.Packet is not MqttPubAckPacket pubAck || MqttPublishPipeline.Of(args.SessionItems) is not { } pipeline)
        {
            return;
        }

        if (pipeline.Connection is not null && !Equals(pipeline.Connection, args.RemoteEndPoint))
        {
            // A connection whose session a reconnect of the device took over: its remaining PUBACKs are not sent (the
            // device republishes, duplicates are recognised) rather than matched against the new connection's messages.
            args.ProcessPacket = false;
            return;
        }

        if (!await pipeline.WaitForPubAckAsync(pubAck.PacketIdentifier, args.CancellationToken))
        {
            // The commit failed: no PUBACK for this or any later message of the connection, which is being closed.
            args.ProcessPacket = false;
        }
    }

    private void OnCommitFailed(string clientId, Task<IngestOutcome> durable)
    {
        LogNotStored(logger, durable.Exception?.InnerException?.GetType().Name ?? "unknown");
        Disconnect(clientId, MqttDisconnectReasonCode.UnspecifiedError);
    }

    private void Refuse(InterceptingPublishEventArgs args, string reason)
    {
        if (reason == RejectionReasons.Revoked)
        {
            args.CloseConnection = true;
            return;
        }

        // MQTT 5 clients see why in the PUBACK; 3.1.1 has no way to say it. Either way the message is consumed:
        // publishing the same payload again would be refused again.
        args.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
        args.Response.ReasonString = reason;
        LogRejected(logger);
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        // Device SDKs subscribe to cloud-to-device and twin topics on connect; accept those (nothing is ever sent on
        // them) and refuse any other filter, so one device can never listen to another.
        var filter = args.TopicFilter.Topic;
        var allowed = filter.StartsWith($"devices/{args.ClientId}/messages/devicebound/", StringComparison.Ordinal)
                      || filter.StartsWith("$iothub/", StringComparison.Ordinal);
        if (!allowed)
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }

    private void OnDeviceClosing(string deviceId) => Disconnect(deviceId, MqttDisconnectReasonCode.NotAuthorized);

    private void Disconnect(string clientId, MqttDisconnectReasonCode reason)
    {
        if (_server is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await _server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = reason });
            }
            catch (InvalidOperationException)
            {
                // Not connected over MQTT.
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT listening on port {Port} (TLS port {TlsPort}; 0 = off).")]
    private static partial void LogListening(ILogger logger, int port, int tlsPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT CONNECT refused: not authorized.")]
    private static partial void LogRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connection closed: QoS {QoS}, own events topic {OwnTopic}, or body over the limit.")]
    private static partial void LogClosed(ILogger logger, MqttQualityOfServiceLevel qos, bool ownTopic);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT message refused by normalisation or validation.")]
    private static partial void LogRejected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message not stored ({ExceptionType}); connection closed without PUBACK.")]
    private static partial void LogNotStored(ILogger logger, string exceptionType);
}
