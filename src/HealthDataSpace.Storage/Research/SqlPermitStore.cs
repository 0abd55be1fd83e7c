using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Storage.Fhir;

namespace HealthDataSpace.Storage.Research;

/// <summary>
/// Data permits in the same database as the identified store: one row per permit, its definition as JSON, and the
/// revocation time as a column so revoking is one statement (and a concurrent revoke cannot be lost).
/// </summary>
internal sealed class SqlPermitStore(SqlDialect dialect) : IPermitStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS research_permits (id TEXT NOT NULL PRIMARY KEY, created " +
                              (dialect.Name == "SQLite" ? "INTEGER" : "BIGINT") + " NOT NULL, revoked TEXT NULL, definition TEXT NOT NULL)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task CreateAsync(DataPermit permit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permit);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "INSERT INTO research_permits (id, created, revoked, definition) VALUES (@id, @created, NULL, @definition)",
            ("id", permit.Id), ("created", permit.Created.UtcTicks), ("definition", JsonSerializer.Serialize(permit with { Revoked = null }, Json)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<DataPermit?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT definition, revoked FROM research_permits WHERE id = @id", ("id", id));
        var all = await ReadAsync(command, cancellationToken);
        return all.Count == 0 ? null : all[0];
    }

    public async Task<IReadOnlyList<DataPermit>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT definition, revoked FROM research_permits ORDER BY created DESC, id");
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE research_permits SET revoked = @at WHERE id = @id AND revoked IS NULL",
            ("id", id), ("at", at.ToString("O", CultureInfo.InvariantCulture)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task<List<DataPermit>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var permits = new List<DataPermit>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var permit = JsonSerializer.Deserialize<DataPermit>(reader.GetString(0), Json)!;
            permits.Add(reader.IsDBNull(1)
                ? permit
                : permit with { Revoked = DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture) });
        }

        return permits;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        SqlCommands.Create(connection, null, sql, parameters);
}
