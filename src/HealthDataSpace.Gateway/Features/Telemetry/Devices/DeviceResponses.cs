using System.Text.Json;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Gateway.Features.Telemetry.Devices;

/// <summary><c>201</c> of <c>POST /devices</c>: the only answer that shows the keys (and <c>$rotate</c>'s).</summary>
internal sealed record RegisteredDeviceResponse(
    string DeviceId,
    string HostName,
    string PrimaryKey,
    string SecondaryKey,
    string Patient,
    string Device,
    string? Gateway,
    string ConnectionString);

internal sealed record RotatedKeysResponse(string DeviceId, string HostName, string PrimaryKey, string SecondaryKey, string ConnectionString);

/// <summary><c>GET /devices/{id}</c>: the registration without keys.</summary>
internal sealed record DeviceResponse(
    string DeviceId,
    string HostName,
    string Patient,
    string? Device,
    JsonElement? Type,
    string? Gateway,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    public static DeviceResponse From(DeviceRegistration registration, string hostName)
    {
        ArgumentNullException.ThrowIfNull(registration);
        JsonElement? type = null;
        if (registration.TypeJson is { } json)
        {
            using var document = JsonDocument.Parse(json);
            type = document.RootElement.Clone();
        }

        return new DeviceResponse(registration.DeviceId, hostName, registration.PatientReference, registration.DeviceReference, type,
            registration.Gateway, registration.IsRevoked ? "revoked" : "active", registration.CreatedAt, registration.RevokedAt);
    }
}
