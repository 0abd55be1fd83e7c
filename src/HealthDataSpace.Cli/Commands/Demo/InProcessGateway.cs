using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// The real gateway (the same <see cref="GatewayApplication"/> <c>dotnet run</c> starts) hosted inside <c>hds</c>:
/// Development, 127.0.0.1 on free ports (REST, the HTTP/2 gRPC endpoint, MQTT), SQLite and the blob folder in the data
/// folder, the development issuer at its own address, research under the EHDS-style opt-out default. Its log goes to
/// <c>{data}/logs/gateway.log</c> (warnings and errors) instead of the console.
/// </summary>
internal sealed class InProcessGateway : IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly WebApplication _app;
    private readonly DemoLogFile _log;

    private InProcessGateway(WebApplication app, DemoLogFile log, Uri baseAddress, Uri grpcAddress)
    {
        _app = app;
        _log = log;
        BaseAddress = baseAddress;
        GrpcAddress = grpcAddress;
    }

    public Uri BaseAddress { get; }

    public Uri GrpcAddress { get; }

    public string Issuer => DevelopmentIssuerSettings.IssuerFor(BaseAddress.GetLeftPart(UriPartial.Authority));

    public string LogPath => _log.Path;

    /// <summary>
    /// Starts the gateway on <paramref name="dataPath"/>. Ports are picked free just before binding; another program
    /// can take one in between, so a bind failure is retried on new ports.
    /// </summary>
    public static async Task<InProcessGateway> StartAsync(string dataPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataPath);
        var log = new DemoLogFile(Path.Combine(dataPath, "logs", "gateway.log"));
        for (var attempt = 1; ; attempt++)
        {
            var (http, grpc) = FreePorts();
            var baseAddress = new Uri($"http://127.0.0.1:{http.ToString(CultureInfo.InvariantCulture)}/");
            var grpcAddress = new Uri($"http://127.0.0.1:{grpc.ToString(CultureInfo.InvariantCulture)}/");
            WebApplication? app = null;
            try
            {
                app = GatewayApplication.Build(new WebApplicationOptions
                {
                    EnvironmentName = Environments.Development,
                    // The gateway's appsettings.json files are copied next to hds (project reference).
                    ContentRootPath = AppContext.BaseDirectory,
                    ApplicationName = typeof(GatewayApplication).Assembly.GetName().Name,
                    Args = [],
                }, builder => Configure(builder, Settings(dataPath, baseAddress, grpcAddress), log));
                await app.StartAsync(cancellationToken);
                return new InProcessGateway(app, log, baseAddress, grpcAddress);
            }
            catch (IOException) when (attempt < StartAttempts)
            {
                await DisposeQuietlyAsync(app);
            }
            catch (Exception e) when (e is OptionsValidationException or InvalidOperationException or IOException)
            {
                await DisposeQuietlyAsync(app);
                log.Dispose();
                throw new DemoFailedException($"The gateway did not start: {e.Message} (its log: {log.Path})", e);
            }
            catch
            {
                await DisposeQuietlyAsync(app);
                log.Dispose();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _log.Dispose();
    }

    /// <summary>What the demo gateway runs with, on top of the gateway's own appsettings (these win).</summary>
    private static Dictionary<string, string?> Settings(string dataPath, Uri baseAddress, Uri grpcAddress)
    {
        var http = baseAddress.GetLeftPart(UriPartial.Authority);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Kestrel:Endpoints:Http:Url"] = http,
            ["Kestrel:Endpoints:Grpc:Url"] = grpcAddress.GetLeftPart(UriPartial.Authority),
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Storage:DataPath"] = dataPath,
            ["Storage:Provider"] = "Sqlite",
            ["Blob:Provider"] = "FileSystem",
            // EHDS-style: research use is allowed unless the patient opts out (the demo records both directions).
            ["Consent:Defaults:HRESCH"] = "OptOut",
            ["Mqtt:Port"] = "0",
            ["Mqtt:BindAddress"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in DevelopmentIssuerSettings.For(http))
        {
            settings[key] = value;
        }

        return settings;
    }

    private static void Configure(WebApplicationBuilder builder, Dictionary<string, string?> settings, DemoLogFile log)
    {
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new SharedLogProvider(log));
        // hds owns Ctrl+C (System.CommandLine cancels the demo, which then stops the gateway); the default console
        // lifetime would stop the gateway underneath a running step.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
    }

    private static async Task DisposeQuietlyAsync(WebApplication? app)
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Two distinct free loopback ports, chosen by the OS.</summary>
    private static (int Http, int Grpc) FreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The host disposes its logger providers; the log file outlives a failed start attempt.</summary>
    private sealed class SharedLogProvider(DemoLogFile log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => log.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
