using System.Data.Common;
using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>
/// One transaction. Version and index rows are buffered and written in multi-row statements before anything reads
/// (a search inside a transaction sees its own earlier writes) and at commit: that is what makes a 2,000-entry
/// bundle a few dozen round trips instead of tens of thousands.
/// </summary>
internal sealed class SqlFhirSession(SqlDialect dialect, DbConnection connection, DbTransaction transaction, SemaphoreSlim? writerGate)
    : IFhirStoreSession
{
    private const string ResourceColumns = "r.res_type, r.res_id, v.version, v.last_updated, r.deleted, r.owner, v.method, v.json";
    private readonly PendingRows pending = new();
    private bool completed;

    public async Task<StoredResource?> ReadAsync(string type, string id, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await using var command = Command(
            $"SELECT {ResourceColumns} FROM fhir_resources r JOIN fhir_versions v ON v.rid = r.rid AND v.version = r.version " +
            "WHERE r.res_type = @type AND r.res_id = @id",
            ("type", type), ("id", id));
        return await ReadSingleAsync(command, cancellationToken);
    }

    public async Task<StoredResource?> ReadVersionAsync(string type, string id, long version, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await using var command = Command(
            $"SELECT {ResourceColumns} FROM fhir_resources r JOIN fhir_versions v ON v.rid = r.rid " +
            "WHERE r.res_type = @type AND r.res_id = @id AND v.version = @version",
            ("type", type), ("id", id), ("version", version));
        return await ReadSingleAsync(command, cancellationToken);
    }

    public async Task<SearchResult> HistoryAsync(string type, string id, int count, int offset, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await using var total = Command(
            "SELECT COUNT(*) FROM fhir_versions v JOIN fhir_resources r ON r.rid = v.rid WHERE r.res_type = @type AND r.res_id = @id",
            ("type", type), ("id", id));
        var n = Convert.ToInt32(await total.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await using var page = Command(
            $"SELECT {ResourceColumns} FROM fhir_versions v JOIN fhir_resources r ON r.rid = v.rid " +
            "WHERE r.res_type = @type AND r.res_id = @id ORDER BY v.version DESC LIMIT @count OFFSET @offset",
            ("type", type), ("id", id), ("count", count), ("offset", offset));
        return new SearchResult(n, await ReadAllAsync(page, cancellationToken));
    }

    public async Task<SearchResult> SearchAsync(SearchQuery query, string? ownerFilter, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var sql = new SearchSqlBuilder(query, ownerFilter, dialect.PrefixSearchByRange);
        if (!query.IncludeTotal && !query.CountOnly)
        {
            await using var onlyPage = Command(sql.PageSql(ResourceColumns), sql.Parameters);
            var rows = await ReadAllAsync(onlyPage, cancellationToken);
            return new SearchResult(rows.Count, rows);
        }

        await using var countCommand = Command(sql.CountSql, sql.Parameters);
        var total = Convert.ToInt32(await countCommand.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (query.CountOnly || total == 0 || query.Offset >= total)
        {
            return new SearchResult(total, []);
        }

        await using var pageCommand = Command(sql.PageSql(ResourceColumns), sql.Parameters);
        return new SearchResult(total, await ReadAllAsync(pageCommand, cancellationToken));
    }

    public async Task<ScanPage> ScanAsync(string type, long afterPosition, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await FlushAsync(cancellationToken);
        await using var command = Command(
            $"SELECT {ResourceColumns}, r.rid FROM fhir_resources r JOIN fhir_versions v ON v.rid = r.rid AND v.version = r.version " +
            "WHERE r.res_type = @type AND r.deleted = 0 AND r.rid > @after ORDER BY r.rid LIMIT @limit",
            ("type", type), ("after", afterPosition), ("limit", limit));
        var resources = new List<StoredResource>(limit);
        long last = afterPosition;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            resources.Add(ReadResource(reader));
            last = reader.GetInt64(8);
        }

        return new ScanPage(resources, resources.Count < limit ? null : last);
    }

    public async Task SaveAsync(ResourceWrite write, CancellationToken cancellationToken)
    {
        var ticks = write.LastUpdated.UtcTicks;
        var deleted = write.Deleted ? 1 : 0;
        long rid;
        if (write.Version == 1)
        {
            await using var insert = Command(
                "INSERT INTO fhir_resources (res_type, res_id, version, owner, last_updated, deleted) " +
                "VALUES (@type, @id, 1, @owner, @updated, @deleted) ON CONFLICT (res_type, res_id) DO NOTHING RETURNING rid",
                ("type", write.Type), ("id", write.Id), ("owner", write.Owner), ("updated", ticks), ("deleted", deleted));
            rid = await ScalarOrConflictAsync(insert, write, cancellationToken);
        }
        else
        {
            await using var update = Command(
                "UPDATE fhir_resources SET version = @version, last_updated = @updated, deleted = @deleted " +
                "WHERE res_type = @type AND res_id = @id AND version = @previous RETURNING rid",
                ("version", write.Version), ("updated", ticks), ("deleted", deleted), ("type", write.Type),
                ("id", write.Id), ("previous", write.Version - 1));
            rid = await ScalarOrConflictAsync(update, write, cancellationToken);
            await FlushAsync(cancellationToken);
            foreach (var table in FhirSchema.IndexTables.Values)
            {
                await using var clear = Command($"DELETE FROM {table} WHERE rid = @rid", ("rid", rid));
                await clear.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        pending.Add(rid, write);
        if (pending.IsLarge)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async Task LockAsync(string key, CancellationToken cancellationToken)
    {
        if (dialect.LockStatement is { } statement)
        {
            await using var command = Command(statement, ("key", StableHash(key)));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task SavepointAsync(CancellationToken cancellationToken)
    {
        // Earlier entries' buffered rows must be written before the savepoint, or a rollback would take them along.
        await FlushAsync(cancellationToken);
        await ExecuteAsync("SAVEPOINT entry", cancellationToken);
    }

    public async Task ReleaseSavepointAsync(CancellationToken cancellationToken)
    {
        // The entry's own rows are written inside its savepoint, so a row the database refuses fails this entry only.
        await FlushAsync(cancellationToken);
        await ExecuteAsync("RELEASE SAVEPOINT entry", cancellationToken);
    }

    public async Task RollbackToSavepointAsync(CancellationToken cancellationToken)
    {
        pending.Clear();
        await ExecuteAsync("ROLLBACK TO SAVEPOINT entry", cancellationToken);
        await ExecuteAsync("RELEASE SAVEPOINT entry", cancellationToken);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        completed = true;
    }

    public async Task<long> AppendChangeAsync(string feed, string resourceId, CancellationToken cancellationToken)
    {
        var sequence = await ReadFeedPositionAsync(feed, cancellationToken) + 1;
        await using var insert = Command("INSERT INTO change_feed (feed, seq, res_id) VALUES (@feed, @seq, @id)",
            ("feed", feed), ("seq", sequence), ("id", resourceId));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return sequence;
    }

    public async Task<IReadOnlyList<FeedChange>> ReadChangesAsync(string feed, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var command = Command(
            "SELECT seq, res_id FROM change_feed WHERE feed = @feed AND seq > @after ORDER BY seq LIMIT @limit",
            ("feed", feed), ("after", afterSequence), ("limit", limit));
        var changes = new List<FeedChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new FeedChange(reader.GetInt64(0), reader.GetString(1)));
        }

        return changes;
    }

    public async Task<long> ReadFeedPositionAsync(string feed, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT COALESCE(MAX(seq), 0) FROM change_feed WHERE feed = @feed", ("feed", feed));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<AuditAnchor?> ReadAuditAnchorAsync(CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT seq, hash, mac FROM audit_anchor WHERE id = 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AuditAnchor(reader.GetInt64(0), reader.GetString(1), reader.GetString(2))
            : null;
    }

    public async Task AppendAuditLinkAsync(AuditLink link, AuditAnchor anchor, CancellationToken cancellationToken)
    {
        await using var insert = Command(
            "INSERT INTO audit_chain (seq, res_id, version, prev_hash, hash) VALUES (@seq, @id, @version, @prev, @hash)",
            ("seq", link.Sequence), ("id", link.ResourceId), ("version", link.Version), ("prev", link.PreviousHash), ("hash", link.Hash));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await using var head = Command(
            "INSERT INTO audit_anchor (id, seq, hash, mac) VALUES (1, @seq, @hash, @mac) " +
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
            ("seq", anchor.Sequence), ("hash", anchor.Hash), ("mac", anchor.Mac));
        await head.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditChainEntry>> ReadAuditChainAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await using var command = Command(
            "SELECT c.seq, c.res_id, c.version, c.prev_hash, c.hash, r.version, r.deleted, v.json FROM audit_chain c " +
            "LEFT JOIN fhir_resources r ON r.res_type = 'AuditEvent' AND r.res_id = c.res_id " +
            "LEFT JOIN fhir_versions v ON v.rid = r.rid AND v.version = c.version " +
            "WHERE c.seq > @after ORDER BY c.seq LIMIT @limit",
            ("after", afterSequence), ("limit", limit));
        var entries = new List<AuditChainEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var link = new AuditLink(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4));
            entries.Add(new AuditChainEntry(
                link,
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                !reader.IsDBNull(6) && reader.GetInt32(6) != 0,
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return entries;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!completed)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }
        catch (DbException)
        {
            // The connection may already be broken; disposing it below rolls back on the server side anyway.
        }
        finally
        {
            await pending.DisposeAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
            writerGate?.Release();
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task FlushAsync(CancellationToken cancellationToken) =>
        pending.IsEmpty ? Task.CompletedTask : pending.FlushAsync(connection, transaction, dialect.MaxParametersPerInsert, cancellationToken);

    private static async Task<long> ScalarOrConflictAsync(DbCommand command, ResourceWrite write, CancellationToken cancellationToken)
    {
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull
            ? throw FhirException.Conflict($"{write.Type}/{write.Id} was changed by another request; read it again and retry.")
            : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    private DbCommand Command(string sql, params (string Name, object? Value)[] parameters) =>
        Command(sql, (IEnumerable<(string, object?)>)parameters);

    private DbCommand Command(string sql, IEnumerable<(string Name, object? Value)> parameters) =>
        SqlCommands.Create(connection, transaction, sql, parameters);

    private static async Task<StoredResource?> ReadSingleAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var all = await ReadAllAsync(command, cancellationToken);
        return all.Count == 0 ? null : all[0];
    }

    private static async Task<List<StoredResource>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var result = new List<StoredResource>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(ReadResource(reader));
        }

        return result;
    }

    private static StoredResource ReadResource(DbDataReader reader)
    {
        var json = reader.IsDBNull(7) ? null : reader.GetString(7);
        return new StoredResource(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetInt64(2),
            new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
            json is null,
            reader.GetString(5),
            reader.GetString(6),
            json);
    }

    /// <summary>A hash that is the same in every process (string.GetHashCode is randomised per process).</summary>
    private static long StableHash(string key)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return BitConverter.ToInt64(bytes, 0);
    }
}
