using HealthDataSpace.Core.Telemetry.Devices;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Telemetry.Devices;

/// <summary>The device registry (configuration section <c>Devices</c>).</summary>
internal sealed class DevicesOptions
{
    public const string SectionName = "Devices";

    /// <summary>
    /// Base64 of 32 random bytes: the AES-256 key that encrypts device keys at rest. Required outside Development; in
    /// Development, when unset, one is generated into <c>{Storage:DataPath}/secrets/device-key-encryption.key</c>. Losing it makes every
    /// registered device's keys unreadable (devices must then be registered again).
    /// </summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>
    /// The host name devices connect to, as in IoT Hub's <c>{hub}.azure-devices.net</c>: SAS tokens must name
    /// <c>{HostName}/devices/{deviceId}</c> and MQTT user names start with <c>{HostName}/{deviceId}/</c>. Default <c>localhost</c>.
    /// </summary>
    public string HostName { get; set; } = "localhost";
}

internal sealed class DevicesOptionsValidator(IHostEnvironment environment) : IValidateOptions<DevicesOptions>
{
    public ValidateOptionsResult Validate(string? name, DevicesOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.KeyEncryptionKey))
        {
            if (!environment.IsDevelopment())
            {
                failures.Add($"Devices:KeyEncryptionKey is required outside Development (current: {environment.EnvironmentName}): "
                             + "base64 of 32 random bytes, e.g. `openssl rand -base64 32`.");
            }
        }
        else if (!IsKey(options.KeyEncryptionKey))
        {
            failures.Add("Devices:KeyEncryptionKey must be base64 of exactly 32 bytes.");
        }

        if (string.IsNullOrWhiteSpace(options.HostName) || options.HostName.Contains('/', StringComparison.Ordinal))
        {
            failures.Add("Devices:HostName must be a host name (no '/'), e.g. telemetry.example.org.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsKey(string text)
    {
        var buffer = new byte[DeviceKeyProtector.KeyEncryptionKeyBytes + 1];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var written) && written == DeviceKeyProtector.KeyEncryptionKeyBytes;
    }
}
