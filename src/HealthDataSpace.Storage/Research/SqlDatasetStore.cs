using System.Data.Common;
using System.Globalization;
using System.Text;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Storage.Fhir;

namespace HealthDataSpace.Storage.Research;

/// <summary>
/// Export jobs, delivered datasets and their members in the identified store's database. Times are stored as UTC
/// ticks; a job's state changes are single conditional UPDATEs, so a cancel and a finish cannot both win.
/// </summary>
internal sealed class SqlDatasetStore(SqlDialect dialect) : IDatasetStore
{
    private const int MembersPerInsert = 400;
    private const string JobColumns = "id, permit_id, requested_by, client_id, request_url, created, state, progress, finished, dataset_id, result, error";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var big = dialect.Name == "SQLite" ? "INTEGER" : "BIGINT";
        await using var connection = await dialect.OpenAsync(cancellationToken);
        foreach (var sql in new[]
        {
            $"CREATE TABLE IF NOT EXISTS research_exports (id TEXT NOT NULL PRIMARY KEY, permit_id TEXT NOT NULL, requested_by TEXT NOT NULL, client_id TEXT NOT NULL, request_url TEXT NOT NULL, created {big} NOT NULL, state TEXT NOT NULL, progress TEXT NOT NULL, heartbeat {big} NULL, finished {big} NULL, dataset_id TEXT NULL, result TEXT NULL, error TEXT NULL)",
            "CREATE INDEX IF NOT EXISTS ix_research_exports_state ON research_exports (state, created)",
            $"CREATE TABLE IF NOT EXISTS research_datasets (id TEXT NOT NULL PRIMARY KEY, permit_id TEXT NOT NULL, job_id TEXT NOT NULL, container TEXT NOT NULL, folder TEXT NOT NULL, created {big} NOT NULL, catalog_entry TEXT NOT NULL)",
            $"CREATE TABLE IF NOT EXISTS research_dataset_members (dataset_id TEXT NOT NULL, patient TEXT NOT NULL, pseudonym TEXT NOT NULL, withdrawn {big} NULL, PRIMARY KEY (dataset_id, patient))",
            "CREATE INDEX IF NOT EXISTS ix_research_dataset_members_patient ON research_dataset_members (patient)",
            $"CREATE TABLE IF NOT EXISTS research_checkpoints (consumer TEXT NOT NULL PRIMARY KEY, position {big} NOT NULL)",
        })
        {
            await using var command = SqlCommands.Create(connection, null, sql, []);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task CreateJobAsync(ExportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await ExecuteAsync($"INSERT INTO research_exports ({JobColumns}) VALUES (@id, @permit, @by, @client, @url, @created, @state, @progress, NULL, NULL, NULL, NULL)",
            cancellationToken, ("id", job.Id), ("permit", job.PermitId), ("by", job.RequestedBy), ("client", job.ClientId), ("url", job.RequestUrl),
            ("created", job.Created.UtcTicks), ("state", job.State), ("progress", job.Progress));
    }

    public Task<ExportJob?> GetJobAsync(string id, CancellationToken cancellationToken) =>
        JobAsync($"SELECT {JobColumns} FROM research_exports WHERE id = @id", cancellationToken, ("id", id));

    public async Task<bool> UpdateProgressAsync(string id, string progress, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE research_exports SET progress = @progress, heartbeat = @now WHERE id = @id AND state = @running", cancellationToken,
            ("id", id), ("progress", progress), ("now", now.UtcTicks), ("running", ExportStates.Running)) == 1;

    public async Task<ExportJob?> ClaimNextJobAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Two replicas may pick the same oldest id; the state condition lets only one UPDATE match, the other tries again.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var next = await JobAsync($"SELECT {JobColumns} FROM research_exports WHERE state = @queued ORDER BY created, id LIMIT 1",
                cancellationToken, ("queued", ExportStates.Queued));
            if (next is null)
            {
                return null;
            }

            if (await ExecuteAsync("UPDATE research_exports SET state = @running, heartbeat = @now WHERE id = @id AND state = @queued", cancellationToken,
                    ("id", next.Id), ("running", ExportStates.Running), ("now", now.UtcTicks), ("queued", ExportStates.Queued)) == 1)
            {
                return next with { State = ExportStates.Running };
            }
        }

        return null;
    }

    public Task<int> FailStaleJobsAsync(DateTimeOffset staleBefore, DateTimeOffset now, string problem, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE research_exports SET state = @failed, finished = @now, error = @error WHERE state = @running AND heartbeat < @stale",
            cancellationToken, ("failed", ExportStates.Failed), ("now", now.UtcTicks), ("error", problem), ("running", ExportStates.Running),
            ("stale", staleBefore.UtcTicks));

    public async Task<bool> FinishJobAsync(string id, string state, DateTimeOffset at, string? result, string? problem, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE research_exports SET state = @state, finished = @at, result = @result, error = @error " +
                           "WHERE id = @id AND state IN (@queued, @running)", cancellationToken,
            ("id", id), ("state", state), ("at", at.UtcTicks), ("result", result), ("error", problem),
            ("queued", ExportStates.Queued), ("running", ExportStates.Running)) == 1;

    public async Task<bool> CompleteJobAsync(DatasetRecord dataset, IEnumerable<DatasetMember> members, string manifest, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(members);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The job row first: it takes the write lock (SQLite) or the row lock (PostgreSQL) that a concurrent cancel
        // needs too, so whichever comes second sees the other's final state.
        await using (var complete = SqlCommands.Create(connection, transaction,
            "UPDATE research_exports SET state = @completed, finished = @at, result = @result, dataset_id = @ds WHERE id = @job AND state = @running",
            [("completed", ExportStates.Completed), ("at", at.UtcTicks), ("result", manifest), ("ds", dataset.Id), ("job", dataset.JobId),
             ("running", ExportStates.Running)]))
        {
            if (await complete.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }

        await using (var insert = SqlCommands.Create(connection, transaction,
            "INSERT INTO research_datasets (id, permit_id, job_id, container, folder, created, catalog_entry) " +
            "VALUES (@id, @permit, @job, @container, @folder, @created, @entry)",
            [("id", dataset.Id), ("permit", dataset.PermitId), ("job", dataset.JobId), ("container", dataset.Container),
             ("folder", dataset.Folder), ("created", dataset.Created.UtcTicks), ("entry", dataset.CatalogEntry)]))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var chunk in members.Chunk(MembersPerInsert))
        {
            var sql = new StringBuilder("INSERT INTO research_dataset_members (dataset_id, patient, pseudonym, withdrawn) VALUES ");
            var parameters = new List<(string, object?)> { ("ds", dataset.Id) };
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? string.Empty : ", ").Append(CultureInfo.InvariantCulture, $"(@ds, @p{i}, @s{i}, NULL)");
                parameters.Add(($"p{i}", chunk[i].Patient));
                parameters.Add(($"s{i}", chunk[i].Pseudonym));
            }

            await using var command = SqlCommands.Create(connection, transaction, sql.ToString(), parameters);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public Task<IReadOnlyList<DatasetRecord>> ListDatasetsAsync(CancellationToken cancellationToken) =>
        DatasetsAsync("ORDER BY created DESC, id", [], cancellationToken);

    public async Task<DatasetRecord?> GetDatasetAsync(string id, CancellationToken cancellationToken) =>
        (await DatasetsAsync("WHERE id = @id", [("id", id)], cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<DatasetMember>> ActiveMembershipsAsync(string patient, CancellationToken cancellationToken) =>
        MembersAsync("patient = @key", patient, cancellationToken);

    public Task<IReadOnlyList<DatasetMember>> ActiveMembersAsync(string datasetId, CancellationToken cancellationToken) =>
        MembersAsync("dataset_id = @key", datasetId, cancellationToken);

    public async Task<bool> MarkWithdrawnAsync(string datasetId, string patient, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE research_dataset_members SET withdrawn = @at WHERE dataset_id = @ds AND patient = @patient AND withdrawn IS NULL",
            cancellationToken, ("at", at.UtcTicks), ("ds", datasetId), ("patient", patient)) == 1;

    public async Task<int> CountWithdrawnAsync(string datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = SqlCommands.Create(connection, null,
            "SELECT COUNT(*) FROM research_dataset_members WHERE dataset_id = @ds AND withdrawn IS NOT NULL", [("ds", datasetId)]);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<long> GetCheckpointAsync(string consumer, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = SqlCommands.Create(connection, null, "SELECT position FROM research_checkpoints WHERE consumer = @c", [("c", consumer)]);
        return await command.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    public Task SetCheckpointAsync(string consumer, long position, CancellationToken cancellationToken) =>
        ExecuteAsync("INSERT INTO research_checkpoints (consumer, position) VALUES (@c, @p) ON CONFLICT (consumer) DO UPDATE SET position = @p",
            cancellationToken, ("c", consumer), ("p", position));

    private async Task<ExportJob?> JobAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = SqlCommands.Create(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ExportJob(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            Time(reader.GetInt64(5)), reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : Time(reader.GetInt64(8)),
            Text(reader, 9), Text(reader, 10), Text(reader, 11));
    }

    private async Task<IReadOnlyList<DatasetRecord>> DatasetsAsync(string where, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = SqlCommands.Create(connection, null,
            $"SELECT id, permit_id, job_id, container, folder, created, catalog_entry FROM research_datasets {where}", parameters);
        var datasets = new List<DatasetRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            datasets.Add(new DatasetRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), Time(reader.GetInt64(5)), reader.GetString(6)));
        }

        return datasets;
    }

    private async Task<IReadOnlyList<DatasetMember>> MembersAsync(string where, string key, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = SqlCommands.Create(connection, null,
            $"SELECT dataset_id, patient, pseudonym FROM research_dataset_members WHERE {where} AND withdrawn IS NULL ORDER BY dataset_id, patient",
            [("key", key)]);
        var members = new List<DatasetMember>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(new DatasetMember(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return members;
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var command = SqlCommands.Create(connection, null, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
