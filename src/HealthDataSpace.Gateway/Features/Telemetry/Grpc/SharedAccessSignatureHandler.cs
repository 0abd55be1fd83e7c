using System.Security.Claims;
using System.Text.Encodings.Web;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Telemetry.Devices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>
/// Authenticates one device by an IoT Hub SAS token in <c>authorization: SharedAccessSignature …</c>. Only the
/// telemetry ingest policy names this scheme; every other endpoint keeps accepting Bearer tokens only. The principal
/// carries the device id and role Device, and nothing else.
/// </summary>
internal sealed partial class SharedAccessSignatureHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    DeviceDirectory directory,
    IOptions<DevicesOptions> devices,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "SharedAccessSignature";

    /// <summary>The claim naming the authenticated device, on an identity whose authentication type is <see cref="SchemeName"/>.</summary>
    public const string DeviceIdClaim = "hds_device_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SharedAccessSignature.Scheme + " ", StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var (deviceId, outcome) = await AuthenticateAsync(directory, devices.Value.HostName, header, time.GetUtcNow(), Context.RequestAborted);
        if (outcome != SasValidation.Valid || deviceId is null)
        {
            LogRefused(Logger, outcome);
            return AuthenticateResult.Fail("SAS token not accepted");
        }

        var identity = new ClaimsIdentity(
            [new Claim(DeviceIdClaim, deviceId), new Claim("roles", GatewayRoles.Device)],
            SchemeName, nameType: DeviceIdClaim, roleType: "roles");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// Validates a SAS token against the registry; shared with MQTT CONNECT. A revoked or unknown device is refused
    /// like a bad signature (<see cref="SasValidation.BadSignature"/>), so the answer does not reveal which ids exist.
    /// </summary>
    public static async Task<(string? DeviceId, SasValidation Outcome)> AuthenticateAsync(DeviceDirectory directory, string hostName,
        string token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!SharedAccessSignature.TryParse(token, out var parsed) || parsed.DeviceId is not { } deviceId || !DeviceIds.IsValid(deviceId))
        {
            return (null, SasValidation.Malformed);
        }

        var access = await directory.FindAsync(deviceId, cancellationToken);
        if (access is null || access.Registration.IsRevoked)
        {
            return (null, SasValidation.BadSignature);
        }

        var outcome = SharedAccessSignature.Validate(parsed, hostName, deviceId, access.Keys, now);
        return (outcome == SasValidation.Valid ? deviceId : null, outcome);
    }

    /// <summary>The device a principal authenticated as by SAS, or null for any other principal (Bearer tokens included).</summary>
    public static string? DeviceOf(ClaimsPrincipal user) =>
        user.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == SchemeName)?.FindFirst(DeviceIdClaim)?.Value;

    [LoggerMessage(Level = LogLevel.Information, Message = "SAS token refused ({Outcome}).")]
    private static partial void LogRefused(ILogger logger, SasValidation outcome);
}
