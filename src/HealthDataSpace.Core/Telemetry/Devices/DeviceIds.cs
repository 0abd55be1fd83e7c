using System.Buffers;

namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>
/// Which device ids the gateway accepts: 1–128 ASCII letters, digits and <c>- . _ : @</c>. That is a subset of what
/// IoT Hub allows, chosen so an id is safe unescaped in a URL path, an MQTT topic (no <c>+ # /</c>) and a FHIR token
/// search (no <c>| , $ \</c>).
/// </summary>
internal static class DeviceIds
{
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:@");

    public static bool IsValid(string? deviceId) =>
        !string.IsNullOrEmpty(deviceId) && deviceId.Length <= MaxLength && !deviceId.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>The FHIR identifier system of a Device resource's device id.</summary>
    public const string IdentifierSystem = "urn:healthdataspace:device-id";
}
