using HealthDataSpace.Core.Fhir;
using System.Buffers.Binary;
using System.Globalization;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Ingest;
using HealthDataSpace.Core.Telemetry.Store;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Fhir;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace HealthDataSpace.Gateway.Features.Telemetry;

/// <summary>
/// <c>GET /telemetry/{deviceId}?type=&amp;from=&amp;to=&amp;_count=&amp;cursor=</c>: every accepted reading of a device
/// exactly once, in time order, paged by an opaque cursor (docs/telemetry.md).
/// </summary>
internal static class TelemetryQueryEndpoints
{
    public const int DefaultPageSize = 1000;

    public static IEndpointRouteBuilder MapTelemetryQueryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/telemetry").RequireAuthorization(GatewayPolicies.HospitalOrSteward).MapGet("/{deviceId}", QueryAsync);
        return app;
    }

    private static async Task<IResult> QueryAsync(string deviceId, HttpContext http, DeviceRegistrationService devices,
        ITelemetryStore store, IOptions<TelemetryOptions> options)
    {
        var query = http.Request.Query;
        var from = Time(query["from"], "from");
        var to = Time(query["to"], "to");
        if (from is not null && to is not null && from > to)
        {
            throw FhirException.BadRequest("from must not be after to.");
        }

        var count = DefaultPageSize;
        if (query["_count"].ToString() is { Length: > 0 } countText
            && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > options.Value.MaxPageSize))
        {
            throw FhirException.BadRequest($"_count must be a whole number from 1 to {options.Value.MaxPageSize}.");
        }

        var type = query["type"].ToString() is { Length: > 0 } t ? t : null;
        var after = Cursor(query["cursor"]);

        // Visibility first: a device the caller did not register is not known to it, readings or not.
        await devices.GetAsync(FhirHttp.Context(http).Scope, deviceId, http.RequestAborted);
        var page = await store.QueryAsync(new ReadingQuery(deviceId, type, from, to, after, count), http.RequestAborted);

        string? next = null;
        if (page.Next is { } cursor)
        {
            var parameters = query.Where(p => p.Key != "cursor").Select(p => KeyValuePair.Create(p.Key, p.Value.ToString()))
                .Append(KeyValuePair.Create("cursor", EncodeCursor(cursor)));
            next = $"{http.Request.PathBase}{http.Request.Path}?{string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"))}";
        }

        return Results.Json(new ReadingPageResponse(deviceId, [.. page.Readings.Select(ReadingResponse.From)], next));
    }

    private static DateTimeOffset? Time(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw FhirException.BadRequest($"{name} must be an ISO 8601 date or date-time, e.g. 2024-03-01T08:00:00Z.");
    }

    private static string EncodeCursor(ReadingCursor cursor)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, cursor.TimeMicros);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], cursor.Sequence);
        return Base64UrlEncoder.Encode(bytes.ToArray());
    }

    private static ReadingCursor? Cursor(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            var bytes = Base64UrlEncoder.DecodeBytes(text);
            if (bytes.Length == 16)
            {
                return new ReadingCursor(BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8)));
            }
        }
        catch (FormatException)
        {
        }

        throw FhirException.BadRequest("cursor is not one this server issued; follow the next link of the previous page.");
    }
}

internal sealed record ReadingPageResponse(string DeviceId, IReadOnlyList<ReadingResponse> Readings, string? Next);

internal sealed record ReadingValueResponse(string Name, string Value);

internal sealed record ReadingResponse(string Type, DateTimeOffset Time, IReadOnlyList<ReadingValueResponse> Values, string MessageId, string? CorrelationId)
{
    public static ReadingResponse From(StoredReading stored) =>
        new(stored.Reading.Type, stored.Reading.OccurrenceTime, [.. stored.Reading.Values.Select(v => new ReadingValueResponse(v.Name, v.Value))],
            stored.MessageId, stored.Reading.CorrelationId);
}
