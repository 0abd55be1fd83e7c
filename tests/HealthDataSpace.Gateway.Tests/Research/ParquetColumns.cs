using System.Globalization;
using Parquet;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>Reads named columns of a Parquet file (every row group) as invariant strings, with Parquet.Net.</summary>
internal static class ParquetColumns
{
    public static async Task<Dictionary<string, List<string?>>> ReadAsync(string path, params string[] names)
    {
        await using var stream = File.OpenRead(path);
        return await ReadAsync(stream, names);
    }

    /// <summary>The text columns of a Parquet file: where identifiers could hide.</summary>
    public static async Task<Dictionary<string, List<string?>>> ReadTextAsync(Stream stream)
    {
        await using (var schemaReader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true))
        {
            var names = schemaReader.Schema.GetDataFields().Where(IsText).Select(f => f.Name).ToArray();
            stream.Position = 0;
            return await ReadAsync(stream, names);
        }
    }

    /// <summary>Parquet.Net 6 reports text columns as ReadOnlyMemory&lt;char&gt;; they read into strings.</summary>
    private static bool IsText(Parquet.Schema.DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static async Task<Dictionary<string, List<string?>>> ReadAsync(Stream stream, string[] names)
    {
        var columns = names.ToDictionary(n => n, _ => new List<string?>(), StringComparer.Ordinal);
        await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            foreach (var field in reader.Schema.GetDataFields().Where(f => columns.ContainsKey(f.Name)))
            {
                var column = columns[field.Name];
                var rows = (int)group.RowCount;
                if (IsText(field))
                {
                    var values = new string?[rows];
                    await group.ReadAsync(field, values.AsMemory(), null);
                    column.AddRange(values);
                }
                else if (field.ClrType == typeof(long))
                {
                    column.AddRange(await NumbersAsync<long>(group, field, rows));
                }
                else if (field.ClrType == typeof(int))
                {
                    column.AddRange(await NumbersAsync<int>(group, field, rows));
                }
                else
                {
                    column.AddRange(await NumbersAsync<double>(group, field, rows));
                }
            }
        }

        return columns;
    }

    private static async Task<IEnumerable<string?>> NumbersAsync<T>(ParquetRowGroupReader group, Parquet.Schema.DataField field, int rows)
        where T : struct, IFormattable
    {
        if (field.IsNullable)
        {
            var nullable = new T?[rows];
            await group.ReadAsync(field, nullable.AsMemory(), null);
            return nullable.Select(v => v?.ToString(null, CultureInfo.InvariantCulture));
        }

        var values = new T[rows];
        await group.ReadAsync(field, values.AsMemory(), null);
        return values.Select(v => (string?)v.ToString(null, CultureInfo.InvariantCulture));
    }
}
