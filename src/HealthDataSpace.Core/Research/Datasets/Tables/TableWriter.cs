using Parquet;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>A table being written, whatever its row type.</summary>
internal interface ITableWriter
{
    string Name { get; }

    /// <summary>Writes the last row group and the footer; opens the table first when it never had a row.</summary>
    Task<DatasetTableInfo> CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Writes one table as a Parquet file, a row group each time <c>rowGroupSize</c> rows are buffered. The output is
/// opened on the first row group (or at completion for an empty table) and written forward only, so it can be an
/// upload stream: Parquet.Net meters non-seekable streams itself and never seeks. After a failed write (I/O,
/// cancellation) the file is incomplete and the writer refuses further rows.
/// </summary>
internal sealed class TableWriter<TRow>(TableSchema<TRow> schema, int rowGroupSize, Func<string, CancellationToken, Task<Stream>> openTable)
    : ITableWriter
{
    /// <summary>Key-value metadata in every file's footer, so a partner can tell the table and its layout version.</summary>
    public const string LayoutVersion = "1";

    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly TableColumn<TRow>[] _columns = schema.CreateBuffers(rowGroupSize);
    private ParquetWriter? _writer;
    private int _buffered;
    private long _rows;
    private bool _failed;
    private bool _completed;

    public string Name => schema.Name;

    public ValueTask AddAsync(TRow row, CancellationToken cancellationToken)
    {
        CheckWritable();
        foreach (var column in _columns)
        {
            column.Set(_buffered, row);
        }

        _buffered++;
        _rows++;
        return _buffered == rowGroupSize ? new ValueTask(FlushAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    public async Task<DatasetTableInfo> CompleteAsync(CancellationToken cancellationToken)
    {
        CheckWritable();
        if (_buffered > 0)
        {
            await FlushAsync(cancellationToken);
        }

        try
        {
            var writer = _writer ?? await OpenAsync(cancellationToken);
            _writer = null;
            await writer.DisposeAsync();
        }
        catch
        {
            _failed = true;
            throw;
        }

        _completed = true;
        return new DatasetTableInfo(Name, _rows);
    }

    private void CheckWritable()
    {
        if (_failed || _completed)
        {
            throw new InvalidOperationException(_failed
                ? $"The {Name} table is incomplete: an earlier write to it failed."
                : $"The {Name} table is already complete.");
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            _writer ??= await OpenAsync(cancellationToken);
            using (var rowGroup = _writer.CreateRowGroup())
            {
                foreach (var column in _columns)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await column.WriteAsync(rowGroup, _buffered, cancellationToken);
                }

                rowGroup.CompleteValidate();
            }

            foreach (var column in _columns)
            {
                column.Clear(_buffered);
            }

            _buffered = 0;
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    private async Task<ParquetWriter> OpenAsync(CancellationToken cancellationToken)
    {
        var stream = await openTable(Name, cancellationToken);
        var writer = await ParquetWriter.CreateAsync(schema.Parquet, stream, Options, append: false, cancellationToken);
        writer.CustomMetadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["healthdataspace.table"] = Name,
            ["healthdataspace.layout"] = LayoutVersion,
        };
        return writer;
    }
}
