using HealthDataSpace.Core.Fhir;
using System.Text.Json;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Fhir;
using HealthDataSpace.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Telemetry.Devices;

/// <summary>The device registry at <c>/devices</c> (docs/telemetry.md). Hospitals manage the devices they registered; stewards all.</summary>
internal static partial class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapDeviceEndpoints(this IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/devices").RequireAuthorization(GatewayPolicies.HospitalOrSteward);
        devices.MapPost("/", RegisterAsync);
        devices.MapGet("/{deviceId}", GetAsync);
        devices.MapPost("/{deviceId}/keys/$rotate", RotateAsync);
        devices.MapDelete("/{deviceId}", RevokeAsync);
        return app;
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, DeviceRegistrationService service, IOptions<DevicesOptions> options,
        ILogger<DeviceRegistrationService> logger)
    {
        var request = await ReadRequestAsync(http);
        var registered = await service.RegisterAsync(FhirHttp.Context(http), request, http.RequestAborted);
        LogRegistered(logger, registered.Registration.FhirDeviceId ?? string.Empty);
        var hostName = options.Value.HostName;
        var body = new RegisteredDeviceResponse(
            registered.Registration.DeviceId,
            hostName,
            registered.Keys.PrimaryBase64,
            registered.Keys.SecondaryBase64,
            registered.Registration.PatientReference,
            registered.Registration.DeviceReference!,
            registered.Registration.Gateway,
            ConnectionString(hostName, registered.Registration.DeviceId, registered.Keys.PrimaryBase64));
        return Results.Json(body, statusCode: StatusCodes.Status201Created, contentType: "application/json");
    }

    private static async Task<IResult> GetAsync(string deviceId, HttpContext http, DeviceRegistrationService service, IOptions<DevicesOptions> options)
    {
        var registration = await service.GetAsync(FhirHttp.Context(http).Scope, deviceId, http.RequestAborted);
        return Results.Json(DeviceResponse.From(registration, options.Value.HostName));
    }

    private static async Task<IResult> RotateAsync(string deviceId, string? key, HttpContext http, DeviceRegistrationService service,
        IOptions<DevicesOptions> options, ILogger<DeviceRegistrationService> logger)
    {
        var which = key?.ToUpperInvariant() switch
        {
            null or "BOTH" => KeyRotation.Both,
            "PRIMARY" => KeyRotation.Primary,
            "SECONDARY" => KeyRotation.Secondary,
            _ => throw FhirException.BadRequest("key must be primary, secondary or both (the default)."),
        };
        var (registration, keys) = await service.RotateAsync(FhirHttp.Context(http).Scope, deviceId, which, http.RequestAborted);
        LogRotated(logger, registration.FhirDeviceId ?? string.Empty, which);
        var hostName = options.Value.HostName;
        return Results.Json(new RotatedKeysResponse(registration.DeviceId, hostName, keys.PrimaryBase64, keys.SecondaryBase64,
            ConnectionString(hostName, registration.DeviceId, keys.PrimaryBase64)));
    }

    private static async Task<IResult> RevokeAsync(string deviceId, HttpContext http, DeviceRegistrationService service,
        ILogger<DeviceRegistrationService> logger)
    {
        await service.RevokeAsync(FhirHttp.Context(http), deviceId, http.RequestAborted);
        LogRevoked(logger);
        return Results.NoContent();
    }

    /// <summary>The IoT Hub device connection string, which device SDKs and tools take as is.</summary>
    private static string ConnectionString(string hostName, string deviceId, string key) =>
        $"HostName={hostName};DeviceId={deviceId};SharedAccessKey={key}";

    private static async Task<DeviceRegistrationRequest> ReadRequestAsync(HttpContext http)
    {
        var body = await JsonBody.ReadAsync<DeviceRegistrationBody>(http);
        if (body.Type is { } type && type.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw FhirException.BadRequest("type must be a FHIR CodeableConcept object.");
        }

        var typeJson = body.Type is { ValueKind: JsonValueKind.Object } concept ? concept.GetRawText() : null;
        return new DeviceRegistrationRequest(body.DeviceId, body.Patient, typeJson, body.Gateway);
    }

    /// <summary>The body of <c>POST /devices</c>; unknown members are refused, so a misspelt field is not silently ignored.</summary>
    private sealed record DeviceRegistrationBody(string? DeviceId, string? Patient, JsonElement? Type, string? Gateway);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered a device as Device/{FhirDeviceId}.")]
    private static partial void LogRegistered(ILogger logger, string fhirDeviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated {Which} key(s) of Device/{FhirDeviceId}.")]
    private static partial void LogRotated(ILogger logger, string fhirDeviceId, KeyRotation which);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked a device; its open connections were closed.")]
    private static partial void LogRevoked(ILogger logger);
}
