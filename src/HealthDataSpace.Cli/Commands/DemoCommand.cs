using System.CommandLine;
using System.Globalization;
using HealthDataSpace.Cli.Commands.Demo;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Cli.Commands;

/// <summary>
/// <c>hds demo</c>: the whole story against a gateway (started in this process unless <c>--gateway</c> names one):
/// Synthea bundles in, wearables streaming, consents, a permit, a cohort count, a dataset export and a withdrawal.
/// See docs/demo.md.
/// </summary>
internal static class DemoCommand
{
    public const int DefaultDevices = 12;

    public static Command Create()
    {
        var gateway = new Option<string?>("--gateway") { HelpName = "url", Description = "Base URL of a running gateway, e.g. http://127.0.0.1:5080. Default: start the gateway in this process." };
        var grpc = new Option<string?>("--grpc") { HelpName = "url", Description = "With --gateway: its gRPC (HTTP/2) endpoint. Default: the --gateway URL with port + 1 (5080 -> 5081)." };
        var data = new Option<string?>("--data")
        {
            HelpName = "folder",
            Description = "In-process: the gateway's data folder (default: a new folder under the temp folder, kept so you can look at it; an existing folder is reused). " +
                          "With --gateway: the gateway's Storage:DataPath, which holds its development signing key (default as for hds token).",
        };
        var issuer = new Option<string?>("--issuer") { HelpName = "url", Description = "With --gateway: the issuer (iss) of the demo's tokens. Default: {gateway}/dev-issuer/local/v2.0." };
        var synthea = new Option<string?>("--synthea") { HelpName = "folder", Description = "Folder of Synthea bundles (*.json, searched recursively). Default: ../shared/data/synthea, found above the current directory or the hds executable." };
        var devices = new Option<int>("--devices")
        {
            HelpName = "n",
            Description = "How many patients get a wearable that streams 24 h of minute heart rate and SpO2 over gRPC (0 skips telemetry).",
            DefaultValueFactory = _ => DefaultDevices,
        };
        var noProgress = new Option<bool>("--no-progress") { Description = "One line per finished step instead of live progress bars (always so when the output is not a terminal)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only the results (tables, dataset, summary): no line per step." };

        var command = new Command("demo", "Run the whole story against a gateway: load, stream, consent, permit, count, export, withdraw.")
        {
            gateway, grpc, data, issuer, synthea, devices, noProgress, quiet,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var (settings, problem) = Validate(
                parseResult.GetValue(gateway), parseResult.GetValue(grpc), parseResult.GetValue(data), parseResult.GetValue(issuer),
                parseResult.GetValue(synthea), parseResult.GetValue(devices), parseResult.GetValue(noProgress), parseResult.GetValue(quiet),
                ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
            if (settings is null)
            {
                await error.WriteLineAsync($"Error: {problem}");
                return HdsCli.UsageError;
            }

            return await DemoRunner.RunAsync(settings, output, error, cancellationToken);
        });

        return command;
    }

    private static (DemoSettings? Settings, string? Problem) Validate(string? gateway, string? grpc, string? data, string? issuer,
        string? synthea, int devices, bool noProgress, bool quiet, bool terminal)
    {
        Uri? gatewayUrl = null, grpcUrl = null;
        if (gateway is not null && !TryHttpUrl(gateway, out gatewayUrl))
        {
            return (null, $"--gateway '{gateway}' is not an absolute http(s) URL.");
        }

        if (grpc is not null && (gatewayUrl is null || !TryHttpUrl(grpc, out grpcUrl)))
        {
            return (null, gatewayUrl is null ? "--grpc needs --gateway (the in-process gateway uses its own)." : $"--grpc '{grpc}' is not an absolute http(s) URL.");
        }

        if (issuer is not null && (gatewayUrl is null || !Uri.TryCreate(issuer, UriKind.Absolute, out _)))
        {
            return (null, gatewayUrl is null ? "--issuer needs --gateway (the in-process gateway's issuer is set up by the demo)." : $"--issuer '{issuer}' is not an absolute URL.");
        }

        if (devices < 0)
        {
            return (null, "--devices must be 0 or more.");
        }

        var folder = synthea ?? SyntheaFiles.Locate(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        if (folder is null)
        {
            return (null, "No Synthea data found: ../shared/data/synthea is not above the current directory or the hds executable. Pass --synthea <folder>.");
        }

        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder))
        {
            return (null, $"The Synthea folder '{folder}' does not exist.");
        }

        var bundles = SyntheaFiles.Bundles(folder);
        if (!bundles.Any(b => !SyntheaFiles.IsInformation(b)))
        {
            return (null, $"The Synthea folder '{folder}' holds no patient bundles (*.json).");
        }

        string dataPath;
        if (gatewayUrl is null)
        {
            dataPath = Path.GetFullPath(data ?? Path.Combine(Path.GetTempPath(),
                "hds-demo-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            try
            {
                Directory.CreateDirectory(dataPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"--data: the folder '{dataPath}' cannot be created: {e.Message}");
            }
        }
        else
        {
            dataPath = Path.GetFullPath(data ?? TokenCommand.DefaultDataPath(Directory.GetCurrentDirectory()));
            if (!File.Exists(DevelopmentSigningKey.PathFor(dataPath)))
            {
                return (null, $"No development signing key at {DevelopmentSigningKey.PathFor(dataPath)}: pass --data with the gateway's Storage:DataPath " +
                              "(the demo mints its tokens with the gateway's development issuer key).");
            }

            grpcUrl ??= new UriBuilder(gatewayUrl) { Port = gatewayUrl.Port + 1, Path = "/" }.Uri;
            issuer ??= DevelopmentIssuerSettings.IssuerFor(gatewayUrl.GetLeftPart(UriPartial.Path));
        }

        return (new DemoSettings(gatewayUrl, grpcUrl, dataPath, issuer, bundles, SyntheaFiles.HeartRateSample(folder), devices,
            LiveProgress: terminal && !noProgress, quiet), null);
    }

    private static bool TryHttpUrl(string text, out Uri? url)
    {
        url = Uri.TryCreate(text, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
            ? new Uri(parsed.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/")
            : null;
        return url is not null;
    }
}
