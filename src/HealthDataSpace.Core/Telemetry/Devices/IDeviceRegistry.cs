namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>
/// Where device registrations live (SQLite beside the telemetry store, or PostgreSQL). A revoked device stays
/// registered, marked revoked, so its id is never handed out again and its readings stay attributable.
/// </summary>
internal interface IDeviceRegistry
{
    /// <summary>Stores a new registration; false when the device id is already taken (revoked ids included).</summary>
    Task<bool> TryAddAsync(DeviceRegistration registration, CancellationToken cancellationToken);

    Task<DeviceRegistration?> FindAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Records the FHIR Device resource created for the registration.</summary>
    Task SetFhirDeviceAsync(string deviceId, string fhirDeviceId, CancellationToken cancellationToken);

    /// <summary>Replaces the sealed keys of a device that is not revoked; false when there is no such device.</summary>
    Task<bool> ReplaceKeysAsync(string deviceId, byte[] sealedKeys, CancellationToken cancellationToken);

    /// <summary>Marks the device revoked; false when it is unknown or already revoked.</summary>
    Task<bool> RevokeAsync(string deviceId, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>Removes a registration whose FHIR Device could not be created (undoing a half-done registration).</summary>
    Task RemoveAsync(string deviceId, CancellationToken cancellationToken);
}
