namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>
/// A registered device as the registry keeps it. The symmetric keys are only ever held sealed here
/// (<see cref="DeviceKeyProtector"/>); <see cref="DeviceAccess"/> carries them opened, in memory, for authentication.
/// </summary>
/// <param name="DeviceId">The device's id, as it connects (IoT Hub device id).</param>
/// <param name="PatientReference">The patient the device is bound to, <c>Patient/{id}</c>.</param>
/// <param name="FhirDeviceId">The id of the FHIR Device resource created for it; null only while registration runs.</param>
/// <param name="Gateway">Client application id of the edge gateway allowed to send for the device, if any.</param>
/// <param name="Owner">Client application id of whoever registered the device; owns its Device and Observations.</param>
/// <param name="OwnerIsSteward">The registrant was a data steward (sees every source's patients).</param>
/// <param name="TypeJson">The device type as registered (FHIR CodeableConcept JSON), if any.</param>
/// <param name="SealedKeys">The primary and secondary key, encrypted under the key-encryption key.</param>
internal sealed record DeviceRegistration(
    string DeviceId,
    string PatientReference,
    string? FhirDeviceId,
    string? Gateway,
    string Owner,
    bool OwnerIsSteward,
    string? TypeJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    byte[] SealedKeys)
{
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>The FHIR reference of the device's Device resource.</summary>
    public string? DeviceReference => FhirDeviceId is null ? null : $"Device/{FhirDeviceId}";
}

/// <summary>A device's two symmetric keys (IoT Hub style: either signs SAS tokens, so one can be rolled at a time).</summary>
internal sealed record DeviceKeys(byte[] Primary, byte[] Secondary)
{
    public const int KeyBytes = 32;

    public static DeviceKeys Generate() =>
        new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyBytes),
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyBytes));

    public string PrimaryBase64 => Convert.ToBase64String(Primary);

    public string SecondaryBase64 => Convert.ToBase64String(Secondary);
}

/// <summary>What the ingest path needs to know about a device: its registration and its opened keys.</summary>
internal sealed record DeviceAccess(DeviceRegistration Registration, DeviceKeys Keys);
