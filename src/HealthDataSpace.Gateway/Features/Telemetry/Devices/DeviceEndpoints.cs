using System.Text.Json;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Fhir;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Telemetry.Devices;

/// <summary>The device registry at <c>/devices</c> (docs/telemetry.md). Hospitals manage the devices they registered; stewards all.</summary>
internal static partial class DeviceEndpoints
{
    private const int MaxRequestBytes = 64 * 1024;

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
            _ => throw TelemetryException.BadRequest("key must be primary, secondary or both (the default)."),
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
        if (http.Request.ContentLength > MaxRequestBytes)
        {
            throw new TelemetryException(StatusCodes.Status413PayloadTooLarge, $"A device registration is at most {MaxRequestBytes} bytes.");
        }

        JsonDocument document;
        try
        {
            using var limited = new MemoryStream();
            await http.Request.Body.CopyToAsync(limited, http.RequestAborted);
            if (limited.Length > MaxRequestBytes)
            {
                throw new TelemetryException(StatusCodes.Status413PayloadTooLarge, $"A device registration is at most {MaxRequestBytes} bytes.");
            }

            document = JsonDocument.Parse(limited.ToArray());
        }
        catch (JsonException)
        {
            throw TelemetryException.BadRequest("The body is not valid JSON. Send {\"deviceId\": \"...\", \"patient\": \"Patient/{id}\"}.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw TelemetryException.BadRequest("The body must be a JSON object.");
            }

            return new DeviceRegistrationRequest(
                Text(root, "deviceId"),
                Text(root, "patient"),
                root.TryGetProperty("type", out var type) && type.ValueKind != JsonValueKind.Null ? ObjectJson(type) : null,
                Text(root, "gateway"));
        }
    }

    private static string? Text(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw TelemetryException.BadRequest($"{name} must be a string.");
    }

    private static string ObjectJson(JsonElement type) =>
        type.ValueKind == JsonValueKind.Object ? type.GetRawText() : throw TelemetryException.BadRequest("type must be a FHIR CodeableConcept object.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered a device as Device/{FhirDeviceId}.")]
    private static partial void LogRegistered(ILogger logger, string fhirDeviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated {Which} key(s) of Device/{FhirDeviceId}.")]
    private static partial void LogRotated(ILogger logger, string fhirDeviceId, KeyRotation which);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked a device; its open connections were closed.")]
    private static partial void LogRevoked(ILogger logger);
}
