using System.Data.Common;
using System.Globalization;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>Device registrations in the telemetry database (table <c>telemetry_devices</c>).</summary>
internal sealed class SqlDeviceRegistry(SqlTelemetryStore database) : IDeviceRegistry
{
    private const string Columns =
        "device_id, patient_ref, fhir_device_id, gateway, owner, owner_is_steward, type_json, created_us, revoked_us, sealed_keys";

    public async Task<bool> TryAddAsync(DeviceRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return await ExecuteAsync(
            $"INSERT INTO telemetry_devices ({Columns}) VALUES (@id, @patient, @fhir, @gateway, @owner, @steward, @type, @created, @revoked, @keys) "
            + "ON CONFLICT (device_id) DO NOTHING",
            cancellationToken,
            ("@id", registration.DeviceId),
            ("@patient", registration.PatientReference),
            ("@fhir", registration.FhirDeviceId),
            ("@gateway", registration.Gateway),
            ("@owner", registration.Owner),
            ("@steward", registration.OwnerIsSteward ? 1 : 0),
            ("@type", registration.TypeJson),
            ("@created", TelemetrySchema.ToMicros(registration.CreatedAt)),
            ("@revoked", registration.RevokedAt is { } revoked ? TelemetrySchema.ToMicros(revoked) : null),
            ("@keys", registration.SealedKeys)) == 1;
    }

    public async Task<DeviceRegistration?> FindAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM telemetry_devices WHERE device_id = @id";
        SqlTelemetryStore.Add(command, "@id", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new DeviceRegistration(
            reader.GetString(0),
            reader.GetString(1),
            Text(reader, 2),
            Text(reader, 3),
            reader.GetString(4),
            Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture) != 0,
            Text(reader, 6),
            TelemetrySchema.FromMicros(reader.GetInt64(7)),
            reader.IsDBNull(8) ? null : TelemetrySchema.FromMicros(reader.GetInt64(8)),
            (byte[])reader.GetValue(9));
    }

    public Task SetFhirDeviceAsync(string deviceId, string fhirDeviceId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE telemetry_devices SET fhir_device_id = @fhir WHERE device_id = @id", cancellationToken,
            ("@fhir", fhirDeviceId), ("@id", deviceId));

    public async Task<bool> ReplaceKeysAsync(string deviceId, byte[] sealedKeys, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE telemetry_devices SET sealed_keys = @keys WHERE device_id = @id AND revoked_us IS NULL", cancellationToken,
            ("@keys", sealedKeys), ("@id", deviceId)) == 1;

    public async Task<bool> RevokeAsync(string deviceId, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE telemetry_devices SET revoked_us = @revoked WHERE device_id = @id AND revoked_us IS NULL", cancellationToken,
            ("@revoked", TelemetrySchema.ToMicros(revokedAt)), ("@id", deviceId)) == 1;

    public Task RemoveAsync(string deviceId, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM telemetry_devices WHERE device_id = @id", cancellationToken, ("@id", deviceId));

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            SqlTelemetryStore.Add(command, name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
