using System.Collections.Concurrent;
using System.Globalization;
using DuckDB.NET.Data;
using HealthDataSpace.Core.Research.Datasets.Tables;

namespace HealthDataSpace.Core.Tests.Research.Datasets;

/// <summary>
/// A temp folder the table set writes <c>{table}.parquet</c> into through <see cref="ForwardOnlyStream"/> (as an
/// upload stream would be: no seeking, no position), and DuckDB over it, reading the files as a partner would.
/// </summary>
internal sealed class TableFiles : IDisposable
{
    private readonly DuckDBConnection _duck = new("DataSource=:memory:");

    public TableFiles()
    {
        Folder = Directory.CreateTempSubdirectory("hds-tables-").FullName;
        _duck.Open();
    }

    public string Folder { get; }

    /// <summary>Every stream the set opened, by table name, in the order opened.</summary>
    public ConcurrentDictionary<string, ForwardOnlyStream> Opened { get; } = new(StringComparer.Ordinal);

    public List<string> OpenOrder { get; } = [];

    public DatasetTableSet CreateSet(int rowGroupSize) => new(OpenAsync, rowGroupSize);

    public string PathOf(string table) => Path.Combine(Folder, table + ".parquet");

    /// <summary>Closes every stream the set opened (the caller's job: the set leaves them open).</summary>
    public void CloseStreams()
    {
        foreach (var stream in Opened.Values)
        {
            stream.Dispose();
        }
    }

    /// <summary><c>read_parquet('…/table.parquet')</c>, for use in SQL.</summary>
    public string Read(string table) => $"read_parquet('{PathOf(table)}')";

    public List<object?[]> Rows(string sql)
    {
        using var command = _duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public long Count(string sql) => Convert.ToInt64(Rows(sql).Single()[0], CultureInfo.InvariantCulture);

    /// <summary>Column name → DuckDB type of a table file, in file order.</summary>
    public List<(string Name, string Type)> Columns(string table) =>
        [.. Rows($"DESCRIBE SELECT * FROM {Read(table)}").Select(r => ((string)r[0]!, (string)r[1]!))];

    public void Dispose()
    {
        CloseStreams();
        _duck.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private Task<Stream> OpenAsync(string table, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stream = new ForwardOnlyStream(File.Create(PathOf(table)));
        if (!Opened.TryAdd(table, stream))
        {
            stream.Dispose();
            throw new InvalidOperationException($"{table} was opened twice");
        }

        OpenOrder.Add(table);
        return Task.FromResult<Stream>(stream);
    }
}
