using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Benchmarks.Infrastructure;

/// <summary>
/// The real gateway, started as its own process from the Gateway project's build output (not hosted in-process: a
/// benchmark must measure what operators run, with the gateway's own runtimeconfig, GC mode and Kestrel), on free
/// loopback ports, with a fresh data folder and the development issuer. Disposing stops it by process id and deletes
/// the data folder.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    /// <summary>The gateway's AzureAd:ClientId, which development tokens carry as their audience.</summary>
    public const string Audience = DevelopmentTokenMinter.DefaultAudience;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private readonly bool _ownsDataPath;

    private GatewayProcess(Process process, string dataPath, bool ownsDataPath, int httpPort, int grpcPort)
    {
        _process = process;
        DataPath = dataPath;
        _ownsDataPath = ownsDataPath;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}/");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort.ToString(CultureInfo.InvariantCulture)}/");
        Issuer = DevelopmentIssuerSettings.IssuerFor(BaseAddress.GetLeftPart(UriPartial.Authority));
    }

    public Uri BaseAddress { get; }

    /// <summary>The HTTP/2-only endpoint that serves gRPC.</summary>
    public Uri GrpcAddress { get; }

    public string DataPath { get; }

    public string Issuer { get; }

    /// <summary>CPU time (user + system, all threads) the gateway process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Waits until the gateway has used less than a tenth of one core over a quarter second (its background consumers,
    /// such as the research telemetry feed, have caught up), so their work does not fall into the next measured pass of
    /// another target. Gives up after <paramref name="limit"/>; returns how long it waited.
    /// </summary>
    public async Task<TimeSpan> WaitUntilIdleAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(250);
        var started = Stopwatch.GetTimestamp();
        var before = ProcessorTime;
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            await Task.Delay(interval, cancellationToken);
            var now = ProcessorTime;
            if (now - before < interval / 10)
            {
                break;
            }

            before = now;
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>The gateway's process id (its memory figures are read from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>From process start until <c>GET /healthz</c> answered 200.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>What the gateway wrote to stdout/stderr (log level Warning, so normally nothing).</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>For failure messages: whether the process is still running, its exit code, and what it wrote.</summary>
    public string Diagnostics()
    {
        var state = _process.HasExited
            ? $"the gateway process {_process.Id.ToString(CultureInfo.InvariantCulture)} has exited with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}"
            : $"the gateway process {_process.Id.ToString(CultureInfo.InvariantCulture)} is still running";
        return _output.IsEmpty ? $"{state}; it wrote nothing." : $"{state}; its last output:\n{Tail()}";
    }

    /// <summary>
    /// <c>src/HealthDataSpace.Gateway/bin/{Configuration}/{tfm}/HealthDataSpace.Gateway.dll</c>. The benchmark project
    /// references the Gateway project, so building or running the benchmark builds this output first, in the same
    /// configuration.
    /// </summary>
    public static string LocateBuiltGateway()
    {
        var configuration = BuildConfiguration;
        var targetFramework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var path = Path.Combine(
            RepositoryPaths.Root, "src", "HealthDataSpace.Gateway", "bin", configuration, targetFramework, "HealthDataSpace.Gateway.dll");
        return File.Exists(path)
            ? path
            : throw new BenchmarkFailedException(
                $"The built gateway is missing: {path}. Run `dotnet build tests/HealthDataSpace.Benchmarks -c {configuration}`.");
    }

    /// <summary>The configuration this benchmark was built in; figures from a Debug build are not worth reporting.</summary>
    public static string BuildConfiguration =>
        typeof(GatewayProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <param name="dataPath">An existing data folder to start on (a restart); the caller keeps it. Default: a fresh
    /// folder, deleted when this process is disposed.</param>
    /// <param name="settings">Extra configuration, as environment variables (<c>Telemetry__SqliteFullSync</c>).</param>
    public static async Task<GatewayProcess> StartAsync(string gatewayAssembly, CancellationToken cancellationToken,
        string? dataPath = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var ownsDataPath = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("hds-bench-").FullName;
        var (httpPort, grpcPort) = FreePorts();
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(gatewayAssembly)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(gatewayAssembly);

        // Only Kestrel endpoints decide where the gateway listens; a URL variable inherited from the shell must not.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            start.Environment.Remove(inherited);
        }

        var http = $"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}";
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Kestrel__Endpoints__Http__Url"] = http,
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort.ToString(CultureInfo.InvariantCulture)}",
            ["Storage__DataPath"] = dataPath,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            // Any free port: several gateways may run on this machine at once.
            ["Mqtt__Port"] = "0",
        };
        foreach (var (key, value) in DevelopmentIssuerSettings.For(http))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new BenchmarkFailedException($"Could not start {start.FileName} {gatewayAssembly}.");
        var gateway = new GatewayProcess(process, dataPath, ownsDataPath, httpPort, grpcPort);
        process.OutputDataReceived += (_, e) => gateway.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await gateway.WaitUntilHealthyAsync(cancellationToken);
            gateway.StartupTime = Stopwatch.GetElapsedTime(started);
            if (!File.Exists(DevelopmentSigningKey.PathFor(dataPath)))
            {
                throw new BenchmarkFailedException(
                    $"The gateway is up but created no development signing key at {DevelopmentSigningKey.PathFor(dataPath)}.");
            }

            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>An HTTP client whose calls carry a development token with one role, minted with the gateway's own key.</summary>
    public HttpClient CreateClient(string role, string clientId, string? subject = null)
    {
        string token;
        using (var key = DevelopmentSigningKey.LoadOrCreate(DataPath))
        {
            token = DevelopmentTokenMinter.Mint(
                key, new DevelopmentTokenRequest([role], clientId, Issuer, Audience, TimeSpan.FromHours(4), subject));
        }

        // One keep-alive connection, requests sent one after another: the figure is for a single sequential client.
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromMinutes(10),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL, as <c>kill -9</c>: no shutdown hook, no flush, no drain. The data folder stays.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"warning: gateway process {_process.Id} did not stop cleanly: {e.Message}");
        }
        finally
        {
            _process.Dispose();
            if (_ownsDataPath)
            {
                DeleteDataFolder();
            }
        }
    }

    private void Capture(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var probe = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(5),
        };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkFailedException(
                    $"The gateway exited during start-up with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}:\n{Tail()}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The probe timed out; try again until the deadline.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        throw new BenchmarkFailedException($"GET {BaseAddress}healthz did not answer 200 within {StartTimeout.TotalSeconds} s:\n{Tail()}");
    }

    private string Tail() => string.Join('\n', _output.TakeLast(40));

    private void DeleteDataFolder()
    {
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not delete {DataPath}: {e.Message}");
        }
    }

    /// <summary>The dotnet host running this benchmark (so the gateway runs on the same runtime), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    /// <summary>Two distinct free loopback ports, chosen by the OS (a small race with other programs remains).</summary>
    private static (int Http, int Grpc) FreePorts()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        try
        {
            return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
        }
        finally
        {
            first.Stop();
            second.Stop();
        }
    }
}
