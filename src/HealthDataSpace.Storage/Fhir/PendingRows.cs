using System.Data.Common;
using System.Text;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>Version and index rows waiting to be written in multi-row INSERTs.</summary>
internal sealed class PendingRows : IAsyncDisposable
{
    private const int FlushThreshold = 20_000;

    private static readonly TableShape Versions = new("fhir_versions", ["rid", "version", "last_updated", "method", "json"]);

    private static readonly Dictionary<SearchParamKind, TableShape> IndexTables = new()
    {
        [SearchParamKind.Token] = new(FhirSchema.IndexTables[SearchParamKind.Token], ["rid", "res_type", "param", "sys", "code"]),
        [SearchParamKind.String] = new(FhirSchema.IndexTables[SearchParamKind.String], ["rid", "res_type", "param", "norm", "exact"]),
        [SearchParamKind.Reference] = new(FhirSchema.IndexTables[SearchParamKind.Reference], ["rid", "res_type", "param", "target_type", "target_id", "url"]),
        [SearchParamKind.Date] = new(FhirSchema.IndexTables[SearchParamKind.Date], ["rid", "res_type", "param", "lo", "hi"]),
        [SearchParamKind.Number] = new(FhirSchema.IndexTables[SearchParamKind.Number], ["rid", "res_type", "param", "num"]),
        [SearchParamKind.Quantity] = new(FhirSchema.IndexTables[SearchParamKind.Quantity], ["rid", "res_type", "param", "num", "sys", "code"]),
        [SearchParamKind.Uri] = new(FhirSchema.IndexTables[SearchParamKind.Uri], ["rid", "res_type", "param", "uri"]),
    };

    private readonly Dictionary<TableShape, List<object?[]>> rows = [];

    // Prepared single-row inserts, kept for the session: a batch flushes once per entry.
    private readonly Dictionary<TableShape, (DbCommand Command, DbParameter[] Parameters)> rowInserts = [];
    private int count;

    public bool IsEmpty => count == 0;

    public bool IsLarge => count >= FlushThreshold;

    public void Add(long rid, ResourceWrite write)
    {
        Append(Versions, [rid, write.Version, write.LastUpdated.UtcTicks, write.Method, write.Json]);
        foreach (var e in write.Index)
        {
            object?[] row = e.Kind switch
            {
                SearchParamKind.Token => [rid, write.Type, e.Param, e.System, e.Code],
                SearchParamKind.String => [rid, write.Type, e.Param, e.Code, e.Text],
                SearchParamKind.Reference => [rid, write.Type, e.Param, e.System, e.Code, e.Text],
                SearchParamKind.Date => [rid, write.Type, e.Param, e.Low, e.High],
                SearchParamKind.Number => [rid, write.Type, e.Param, e.Number],
                SearchParamKind.Quantity => [rid, write.Type, e.Param, e.Number, e.System, e.Code],
                SearchParamKind.Uri => [rid, write.Type, e.Param, e.Text],
                _ => throw new InvalidOperationException($"No index table for {e.Kind}."),
            };
            Append(IndexTables[e.Kind], row);
        }
    }

    public async Task FlushAsync(DbConnection connection, DbTransaction transaction, int maxParameters, CancellationToken cancellationToken)
    {
        // Versions first, so a crash between statements can never leave index rows for a missing version
        // (it cannot anyway inside one transaction; the order keeps the intent obvious).
        if (rows.Remove(Versions, out var versionRows))
        {
            await InsertAsync(connection, transaction, Versions, versionRows, maxParameters, cancellationToken);
        }

        foreach (var (table, tableRows) in rows)
        {
            await InsertAsync(connection, transaction, table, tableRows, maxParameters, cancellationToken);
        }

        rows.Clear();
        count = 0;
    }

    /// <summary>Drops rows not yet written (their writes were rolled back).</summary>
    public void Clear()
    {
        rows.Clear();
        count = 0;
    }

    private void Append(TableShape table, object?[] row)
    {
        if (!rows.TryGetValue(table, out var list))
        {
            rows[table] = list = [];
        }

        list.Add(row);
        count++;
    }

    private async Task InsertAsync(DbConnection connection, DbTransaction transaction, TableShape table,
        List<object?[]> tableRows, int maxParameters, CancellationToken cancellationToken)
    {
        if (maxParameters == 0)
        {
            await InsertRowByRowAsync(connection, transaction, table, tableRows, cancellationToken);
            return;
        }

        await InsertMultiRowAsync(connection, transaction, table, tableRows, maxParameters, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (command, _) in rowInserts.Values)
        {
            await command.DisposeAsync();
        }

        rowInserts.Clear();
    }

    private static async Task InsertMultiRowAsync(DbConnection connection, DbTransaction transaction, TableShape table,
        List<object?[]> tableRows, int maxParameters, CancellationToken cancellationToken)
    {
        var rowsPerStatement = Math.Max(1, maxParameters / table.Columns.Length);
        for (var start = 0; start < tableRows.Count; start += rowsPerStatement)
        {
            var n = Math.Min(rowsPerStatement, tableRows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = table.InsertSql(n);
            var p = 0;
            for (var r = start; r < start + n; r++)
            {
                foreach (var value in tableRows[r])
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "p" + p++;
                    parameter.Value = value ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task InsertRowByRowAsync(DbConnection connection, DbTransaction transaction, TableShape table,
        List<object?[]> tableRows, CancellationToken cancellationToken)
    {
        if (!rowInserts.TryGetValue(table, out var prepared))
        {
            var newCommand = connection.CreateCommand();
            newCommand.Transaction = transaction;
            newCommand.CommandText = table.InsertSql(1);
            var newParameters = new DbParameter[table.Columns.Length];
            for (var c = 0; c < newParameters.Length; c++)
            {
                newParameters[c] = newCommand.CreateParameter();
                newParameters[c].ParameterName = "p" + c;
                newCommand.Parameters.Add(newParameters[c]);
            }

            rowInserts[table] = prepared = (newCommand, newParameters);
        }

        var (command, parameters) = prepared;

        foreach (var row in tableRows)
        {
            for (var c = 0; c < parameters.Length; c++)
            {
                parameters[c].Value = row[c] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private sealed class TableShape(string name, string[] columns)
    {
        private readonly Dictionary<int, string> sqlByRowCount = [];

        public string[] Columns { get; } = columns;

        public string InsertSql(int rowCount)
        {
            lock (sqlByRowCount)
            {
                if (sqlByRowCount.TryGetValue(rowCount, out var cached))
                {
                    return cached;
                }

                var sql = new StringBuilder($"INSERT INTO {name} ({string.Join(", ", Columns)}) VALUES ");
                var p = 0;
                for (var r = 0; r < rowCount; r++)
                {
                    sql.Append(r == 0 ? "(" : ", (");
                    for (var c = 0; c < Columns.Length; c++)
                    {
                        sql.Append(c == 0 ? "@p" : ", @p").Append(p++);
                    }

                    sql.Append(')');
                }

                var text = sql.ToString();
                if (sqlByRowCount.Count < 64)
                {
                    sqlByRowCount[rowCount] = text;
                }

                return text;
            }
        }
    }
}
