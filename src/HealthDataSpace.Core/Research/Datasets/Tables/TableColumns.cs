using Parquet;
using Parquet.Schema;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>One column of a table being written, whatever the type of its values.</summary>
internal abstract class TableColumn<TRow>(DataField field)
{
    public DataField Field { get; } = field;

    public abstract void Set(int index, TRow row);

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken cancellationToken);

    /// <summary>Drops the buffered values once written, so the strings of a flushed row group can be collected.</summary>
    public abstract void Clear(int count);
}

/// <summary>
/// A column's buffer of one row group's values, filled row by row and written as a Parquet column chunk when the row
/// group is full. Buffers start small and double up to the row-group size, so a small dataset stays small and a
/// large one holds at most one row group per table.
/// </summary>
internal abstract class BufferedColumn<TRow, TValue>(DataField field, int capacity, Func<TRow, TValue> get) : TableColumn<TRow>(field)
{
    private const int InitialCapacity = 1024;
    private TValue[] _values = new TValue[Math.Min(capacity, InitialCapacity)];

    protected TValue[] Values => _values;

    public override void Set(int index, TRow row)
    {
        if (index >= _values.Length)
        {
            Array.Resize(ref _values, Math.Min(capacity, Math.Max(index + 1, _values.Length * 2)));
        }

        _values[index] = get(row);
    }

    public override void Clear(int count) => Array.Clear(_values, 0, count);
}

/// <summary>A UTF-8 string column; <paramref name="field"/> says whether nulls are allowed (readers guarantee required ones).</summary>
internal sealed class StringColumn<TRow>(DataField field, int capacity, Func<TRow, string?> get) : BufferedColumn<TRow, string?>(field, capacity, get)
{
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(Field, new ArraySegment<string>(Values!, 0, count), null);
}

/// <summary>A column of an optional value type (int, double, bool, timestamp): null where the resource has no value.</summary>
internal sealed class NullableColumn<TRow, T>(DataField field, int capacity, Func<TRow, T?> get) : BufferedColumn<TRow, T?>(field, capacity, get)
    where T : struct
{
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync<T>(Field, Values.AsMemory(0, count), null, null, cancellationToken);
}

/// <summary>A column of a required value type (telemetry counts and aggregates, the day).</summary>
internal sealed class RequiredColumn<TRow, T>(DataField field, int capacity, Func<TRow, T> get) : BufferedColumn<TRow, T>(field, capacity, get)
    where T : struct
{
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync<T>(Field, Values.AsMemory(0, count), null, null, cancellationToken);
}

/// <summary>A column of a table schema: its Parquet field and how to make its buffer for a row-group size.</summary>
internal sealed record ColumnSpec<TRow>(DataField Field, Func<int, TableColumn<TRow>> CreateBuffer);

/// <summary>The column kinds the dataset tables use, with the Parquet types partners' readers expect.</summary>
internal static class Columns<TRow>
{
    public static ColumnSpec<TRow> RequiredText(string name, Func<TRow, string> get) =>
        Spec(new DataField<string>(name, false), (field, capacity) => new StringColumn<TRow>(field, capacity, get));

    public static ColumnSpec<TRow> Text(string name, Func<TRow, string?> get) =>
        Spec(new DataField<string>(name, true), (field, capacity) => new StringColumn<TRow>(field, capacity, get));

    /// <summary>The leading columns of a clinical table: the row's resource id, its <c>patient_id</c> and <c>encounter_id</c>.</summary>
    public static ColumnSpec<TRow>[] Clinical(string idColumn, Func<TRow, string> id, Func<TRow, string> patient, Func<TRow, string?> encounter) =>
    [
        RequiredText(idColumn, id),
        RequiredText("patient_id", patient),
        Text("encounter_id", encounter),
    ];

    /// <summary>The three columns of a first coding: <c>{prefix}code_system</c>, <c>{prefix}code</c>, <c>{prefix}display</c>.</summary>
    public static ColumnSpec<TRow>[] Coding(string prefix, Func<TRow, FirstCoding> get) =>
    [
        Text(prefix + "code_system", r => get(r).System),
        Text(prefix + "code", r => get(r).Code),
        Text(prefix + "display", r => get(r).Display),
    ];

    public static ColumnSpec<TRow> Int32(string name, Func<TRow, int?> get) => Nullable(new DataField<int?>(name), get);

    public static ColumnSpec<TRow> Double(string name, Func<TRow, double?> get) => Nullable(new DataField<double?>(name), get);

    public static ColumnSpec<TRow> Boolean(string name, Func<TRow, bool?> get) => Nullable(new DataField<bool?>(name), get);

    /// <summary>
    /// A UTC instant as a Parquet INT96 timestamp (100 ns precision): DuckDB TIMESTAMP, pandas datetime64[ns], Spark
    /// TimestampType. Not INT64 TIMESTAMP(MICROS): Parquet.Net 6.1.0 writes that type's row-group min/max statistics in
    /// milliseconds (aloneguid/parquet-dotnet#769), and readers that prune row groups by statistics (DuckDB) then
    /// silently drop matching rows from filtered queries. Readers do not prune by INT96 statistics.
    /// </summary>
    public static ColumnSpec<TRow> Timestamp(string name, Func<TRow, DateTime?> get) => Nullable(new DataField<DateTime?>(name), get);

    public static ColumnSpec<TRow> RequiredInt64(string name, Func<TRow, long> get) => Required(new DataField<long>(name), get);

    public static ColumnSpec<TRow> RequiredDouble(string name, Func<TRow, double> get) => Required(new DataField<double>(name), get);

    public static ColumnSpec<TRow> RequiredDate(string name, Func<TRow, DateOnly> get) => Required(new DataField<DateOnly>(name), get);

    private static ColumnSpec<TRow> Nullable<T>(DataField field, Func<TRow, T?> get)
        where T : struct => Spec(field, (f, capacity) => new NullableColumn<TRow, T>(f, capacity, get));

    private static ColumnSpec<TRow> Required<T>(DataField field, Func<TRow, T> get)
        where T : struct => Spec(field, (f, capacity) => new RequiredColumn<TRow, T>(f, capacity, get));

    private static ColumnSpec<TRow> Spec(DataField field, Func<DataField, int, TableColumn<TRow>> create) =>
        new(field, capacity => create(field, capacity));
}
