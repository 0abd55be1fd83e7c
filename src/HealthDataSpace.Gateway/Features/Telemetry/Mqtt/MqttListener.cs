using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace HealthDataSpace.Gateway.Features.Telemetry.Mqtt;

/// <summary>
/// One TCP listener (plain, or TLS with a server certificate) that hands MQTTnet each connection through a
/// <see cref="MqttFrameLimitStream"/>, so oversize packets are refused before they are buffered.
/// </summary>
internal sealed partial class MqttListener(IPEndPoint endpoint, X509Certificate2? certificate, int maxPacketBytes, ILogger logger)
    : IMqttServerAdapter
{
    private static readonly TimeSpan TlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private IMqttNetLogger _mqttLogger = MqttNetNullLogger.Instance;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The port actually bound (differs from the configured one when that was 0).</summary>
    public int Port => _listener is null ? 0 : ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _mqttLogger = logger;
        _listener = new TcpListener(endpoint);
        _listener.Start();
        _acceptLoop = AcceptAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        _listener?.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = Task.Run(() => ServeAsync(socket, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(TlsHandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, handshake.Token);
            }

            var channel = new MqttTcpChannel(new MqttFrameLimitStream(stream, maxPacketBytes), socket.RemoteEndPoint, socket.LocalEndPoint, null);
            using var adapter = new MqttChannelAdapter(channel, new MqttPacketFormatterAdapter(new MqttBufferWriter(4096, 65535)), _mqttLogger);
            if (ClientHandler is { } handler)
            {
                await handler(adapter);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            var kind = e.GetType().Name;
            LogConnectionEnded(logger, kind);
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT connection ended ({ExceptionType}).")]
    private static partial void LogConnectionEnded(ILogger logger, string exceptionType);
}
