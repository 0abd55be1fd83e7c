using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>What <c>POST /devices</c> asks for. <paramref name="TypeJson"/> is a FHIR CodeableConcept as JSON text.</summary>
internal sealed record DeviceRegistrationRequest(string? DeviceId, string? Patient, string? TypeJson, string? Gateway);

/// <summary>A new registration and its keys: the only moment the keys are shown in clear.</summary>
internal sealed record RegisteredDevice(DeviceRegistration Registration, DeviceKeys Keys);

/// <summary>Which key <c>$rotate</c> regenerates: one at a time lets devices roll over without downtime.</summary>
internal enum KeyRotation
{
    Both,
    Primary,
    Secondary,
}

/// <summary>
/// The device registry's use cases: register (with a FHIR Device bound to a patient the caller can see), read,
/// rotate keys, revoke. Hospitals see the devices they registered; stewards see all.
/// </summary>
internal sealed class DeviceRegistrationService(
    IDeviceRegistry registry,
    DeviceKeyProtector protector,
    DeviceDirectory directory,
    DeviceSessions sessions,
    FhirService fhir,
    TimeProvider time)
{
    public async Task<RegisteredDevice> RegisterAsync(FhirRequestContext context, DeviceRegistrationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var deviceId = request.DeviceId;
        if (!DeviceIds.IsValid(deviceId))
        {
            throw FhirException.BadRequest(
                $"deviceId is required: 1-{DeviceIds.MaxLength} ASCII letters, digits and the characters - . _ : @");
        }

        if (request.Gateway is { } gateway && string.IsNullOrWhiteSpace(gateway))
        {
            throw FhirException.BadRequest("gateway, when given, is the client application id of an edge gateway.");
        }

        var patientId = await VisiblePatientAsync(context, request.Patient, cancellationToken);
        var device = BuildDeviceResource(deviceId!, patientId, request.TypeJson);

        var keys = DeviceKeys.Generate();
        var registration = new DeviceRegistration(deviceId!, $"Patient/{patientId}", null, request.Gateway, context.Scope.ClientId,
            context.Scope.SeesAll, request.TypeJson, time.GetUtcNow(), null, protector.Seal(deviceId!, keys));
        if (!await registry.TryAddAsync(registration, cancellationToken))
        {
            throw FhirException.Conflict("A device with this id is already registered (revoked ids are not reused).");
        }

        try
        {
            var created = await fhir.CreateAsync(context, device, ifNoneExist: null, cancellationToken);
            await registry.SetFhirDeviceAsync(deviceId!, created.Resource.Id, CancellationToken.None);
            directory.Invalidate(deviceId!);
            return new RegisteredDevice(registration with { FhirDeviceId = created.Resource.Id }, keys);
        }
        catch
        {
            // Nothing half-registered stays behind: without its Device resource the registration is undone.
            await registry.RemoveAsync(deviceId!, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The registration, if the caller may see it (404 otherwise, revealing nothing about other owners' ids).</summary>
    public async Task<DeviceRegistration> GetAsync(AccessScope scope, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var registration = DeviceIds.IsValid(deviceId) ? await registry.FindAsync(deviceId, cancellationToken) : null;
        return registration is not null && scope.CanSee(registration.Owner)
            ? registration
            : throw FhirException.NotFound("No device with this id is registered by you.");
    }

    public async Task<(DeviceRegistration Registration, DeviceKeys Keys)> RotateAsync(AccessScope scope, string deviceId, KeyRotation which,
        CancellationToken cancellationToken)
    {
        var registration = await GetAsync(scope, deviceId, cancellationToken);
        if (registration.IsRevoked)
        {
            throw FhirException.Conflict("The device is revoked; its keys can no longer be rotated.");
        }

        var current = protector.Open(deviceId, registration.SealedKeys);
        var fresh = DeviceKeys.Generate();
        var keys = which switch
        {
            KeyRotation.Primary => current with { Primary = fresh.Primary },
            KeyRotation.Secondary => current with { Secondary = fresh.Secondary },
            _ => fresh,
        };
        var sealedKeys = protector.Seal(deviceId, keys);
        if (!await registry.ReplaceKeysAsync(deviceId, sealedKeys, cancellationToken))
        {
            throw FhirException.Conflict("The device was revoked meanwhile; its keys were not rotated.");
        }

        directory.Invalidate(deviceId);
        // Tokens signed with a replaced key stop working now, not when the connection happens to re-authenticate.
        sessions.Close(deviceId);
        return (registration with { SealedKeys = sealedKeys }, keys);
    }

    /// <summary>Revokes the device: no new connection or message is accepted, and open connections are closed now.</summary>
    public async Task RevokeAsync(FhirRequestContext context, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var registration = await GetAsync(context.Scope, deviceId, cancellationToken);
        if (!registration.IsRevoked)
        {
            await registry.RevokeAsync(deviceId, time.GetUtcNow(), cancellationToken);
        }

        directory.Invalidate(deviceId);
        sessions.Close(deviceId);
        await MarkDeviceInactiveAsync(context, registration, cancellationToken);
    }

    private async Task<string> VisiblePatientAsync(FhirRequestContext context, string? patient, CancellationToken cancellationToken)
    {
        if (!ReferenceParser.TryParse(patient ?? string.Empty, out var type, out var id) || type != "Patient")
        {
            throw FhirException.BadRequest("patient is required, as a reference of the form Patient/{id}.");
        }

        try
        {
            await fhir.ReadAsync(context, "Patient", id, cancellationToken);
            return id;
        }
        catch (FhirException e) when (e.Status is 404 or 410)
        {
            throw FhirException.Unprocessable("The patient is not known to you (it does not exist, was deleted, or another source owns it).");
        }
    }

    private static Device BuildDeviceResource(string deviceId, string patientId, string? typeJson)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Device");
            json.WriteStartArray("identifier");
            json.WriteStartObject();
            json.WriteString("system", DeviceIds.IdentifierSystem);
            json.WriteString("value", deviceId);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("status", "active");
            if (typeJson is not null)
            {
                json.WritePropertyName("type");
                json.WriteRawValue(typeJson);
            }

            json.WriteStartObject("patient");
            json.WriteString("reference", $"Patient/{patientId}");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        try
        {
            return (Device)FhirJson.ParseResource(buffer.ToArray(), "Device");
        }
        catch (FhirException)
        {
            throw FhirException.BadRequest("type is not a valid FHIR CodeableConcept.");
        }
    }

    private async Task MarkDeviceInactiveAsync(FhirRequestContext context, DeviceRegistration registration, CancellationToken cancellationToken)
    {
        if (registration.FhirDeviceId is not { } id)
        {
            return;
        }

        try
        {
            var stored = await fhir.ReadAsync(context, "Device", id, cancellationToken);
            var device = (Device)FhirJson.ParseResource(Encoding.UTF8.GetBytes(stored.Json!), "Device");
            if (device.Status == Device.FHIRDeviceStatus.Inactive)
            {
                return;
            }

            device.Status = Device.FHIRDeviceStatus.Inactive;
            await fhir.UpdateAsync(context, "Device", id, device, null, cancellationToken);
        }
        catch (FhirException e) when (e.Status is 404 or 410)
        {
            // The hospital deleted the Device resource itself; the revocation stands regardless.
        }
    }
}
