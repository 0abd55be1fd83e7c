using System.CommandLine;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Cli.Commands;

/// <summary>
/// <c>hds device sas</c>: prints an IoT Hub SAS token for a device key (from <c>POST /devices</c>), so
/// <c>TOKEN=$(hds device sas --device watch-1 --key …)</c> works for gRPC metadata and as the MQTT password.
/// </summary>
internal static class DeviceCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "The device id.", Required = true };
        var key = new Option<string>("--key") { Description = "The device's primary or secondary key (base64), as POST /devices returned it.", Required = true };
        var host = new Option<string>("--host")
        {
            Description = "The gateway's Devices:HostName, which the token names.",
            DefaultValueFactory = _ => "localhost",
        };
        var ttl = new Option<string>("--ttl") { Description = "How long the token is valid, e.g. 1h, 30m, 7d.", DefaultValueFactory = _ => "1h" };

        var sas = new Command("sas", "Print a SharedAccessSignature token for a device.") { device, key, host, ttl };
        sas.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var deviceId = parseResult.GetValue(device)!;
            if (!DeviceIds.IsValid(deviceId))
            {
                await error.WriteLineAsync("Invalid --device: 1-128 ASCII letters, digits and - . _ : @");
                return HdsCli.UsageError;
            }

            var keyBytes = new byte[64];
            if (!Convert.TryFromBase64String(parseResult.GetValue(key)!, keyBytes, out var keyLength) || keyLength == 0)
            {
                await error.WriteLineAsync("Invalid --key: expected the base64 key POST /devices returned.");
                return HdsCli.UsageError;
            }

            if (!TokenCommand.TryParseLifetime(parseResult.GetValue(ttl)!, out var lifetime))
            {
                await error.WriteLineAsync("Invalid --ttl. Use a positive number with s, m, h or d, e.g. 1h.");
                return HdsCli.UsageError;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var token = SharedAccessSignature.Build(parseResult.GetValue(host)!, deviceId, keyBytes.AsSpan(0, keyLength), DateTimeOffset.UtcNow.Add(lifetime));
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(token);
            return 0;
        });

        return new Command("device", "Device helpers for the telemetry endpoints.") { sas };
    }
}
