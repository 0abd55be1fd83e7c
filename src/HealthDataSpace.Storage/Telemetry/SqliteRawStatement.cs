using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>
/// A statement prepared once on the appender's connection and run through SQLite's own API: bind, step, reset. On the
/// hot ingest path this skips what ADO.NET adds per execution (a data reader, parameter objects, boxing, a UTF-8 copy
/// of every string into a new array), which cost as much CPU as SQLite's own insert work. Text is encoded into one
/// reused buffer; SQLite copies bound values (SQLITE_TRANSIENT), so the buffer may be reused at once. Bindings survive
/// a reset, so an integer or NULL that is already bound to a parameter is not bound again (consecutive messages mostly
/// share device, times and reading count; each bind is a native call). Not thread-safe: the appender runs one commit
/// at a time. Parameter indexes are the statement's own (1-based, as in its SQL).
/// </summary>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly Bound[] _bound;
    private byte[] _text = new byte[256];

    public SqliteRawStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_database, sql, out _statement));
        _bound = new Bound[raw.sqlite3_bind_parameter_count(_statement) + 1];
    }

    /// <summary>What a parameter holds now, when it is an integer or NULL (anything else is not remembered).</summary>
    private readonly record struct Bound(BoundKind Kind, long Value);

    private enum BoundKind
    {
        Other,
        Int64,
        Null,
    }

    public void BindText(int index, string value)
    {
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _text.Length)
        {
            _text = new byte[Math.Max(length, _text.Length * 2)];
        }

        var written = Encoding.UTF8.GetBytes(value, _text);
        BindText(index, _text.AsSpan(0, written));
    }

    public void BindText(int index, ReadOnlySpan<byte> utf8)
    {
        _bound[index] = default;
        Check(raw.sqlite3_bind_text(_statement, index, utf8));
    }

    public void BindInt64(int index, long value)
    {
        if (_bound[index] is { Kind: BoundKind.Int64 } held && held.Value == value)
        {
            return;
        }

        _bound[index] = default;
        Check(raw.sqlite3_bind_int64(_statement, index, value));
        _bound[index] = new Bound(BoundKind.Int64, value);
    }

    public void BindBlobOrNull(int index, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            BindNull(index);
        }
        else
        {
            BindBlob(index, value);
        }
    }

    public void BindBlob(int index, ReadOnlySpan<byte> value)
    {
        _bound[index] = default;
        Check(raw.sqlite3_bind_blob(_statement, index, value));
    }

    public void BindNull(int index)
    {
        if (_bound[index].Kind == BoundKind.Null)
        {
            return;
        }

        _bound[index] = default;
        Check(raw.sqlite3_bind_null(_statement, index));
        _bound[index] = new Bound(BoundKind.Null, 0);
    }

    /// <summary>Runs an INSERT/UPDATE to completion and returns the number of rows it changed.</summary>
    public int Execute()
    {
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE)
        {
            Check(result);
        }

        return raw.sqlite3_changes(_database);
    }

    /// <summary>Steps a query: true while it yields a row (read it with the column accessors), false when done.</summary>
    public bool Read()
    {
        var result = raw.sqlite3_step(_statement);
        if (result == raw.SQLITE_ROW)
        {
            return true;
        }

        if (result != raw.SQLITE_DONE)
        {
            Check(result);
        }

        return false;
    }

    /// <summary>Ends a query early (or re-runs it) so it holds no read snapshot; bindings stay.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string Text(int column) => Encoding.UTF8.GetString(Bytes(column));

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>The column's bytes (UTF-8 for text), valid until the next step.</summary>
    public ReadOnlySpan<byte> Bytes(int column) => raw.sqlite3_column_blob(_statement, column);

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(result, _database);
        }
    }
}

/// <summary>
/// Strings of one result column that repeat from row to row (a device id): the previous row's
/// value is reused when the bytes are the same, instead of decoding a new string per row.
/// </summary>
internal sealed class RepeatingText
{
    private byte[] _bytes = [];
    private string _text = string.Empty;

    public string Decode(ReadOnlySpan<byte> utf8)
    {
        if (!utf8.SequenceEqual(_bytes))
        {
            _bytes = utf8.ToArray();
            _text = Encoding.UTF8.GetString(utf8);
        }

        return _text;
    }
}
