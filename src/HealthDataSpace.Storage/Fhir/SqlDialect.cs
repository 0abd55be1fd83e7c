using System.Data.Common;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>
/// What differs between the SQL databases behind the FHIR store. Everything else — the statements that read,
/// write and search — is shared, so both backends answer searches identically (one contract suite tests both).
/// </summary>
internal abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>DDL creating the schema if absent; statements separated by ';'.</summary>
    public abstract string Schema { get; }

    /// <summary>True where the database allows one writer at a time, so writers queue in-process instead.</summary>
    public abstract bool SingleWriter { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Opens a connection for a read or a write session (SQLite sizes its page cache by that).</summary>
    public virtual Task<DbConnection> OpenAsync(bool forWrite, CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    public abstract Task<DbTransaction> BeginAsync(DbConnection connection, bool forWrite, CancellationToken cancellationToken);

    /// <summary>
    /// How many bound parameters one INSERT may carry. Zero means one row per statement, prepared once and re-bound:
    /// best for in-process SQLite, whose named-parameter binding is linear per parameter (so big statements are
    /// quadratic). PostgreSQL prefers fewer, larger statements, to save round trips.
    /// </summary>
    public abstract int MaxParametersPerInsert { get; }

    /// <summary>
    /// True where a string-prefix search is best written as a range (<c>norm &gt;= 'abc' AND norm &lt; 'abd'</c>):
    /// SQLite's LIKE is case-insensitive, so it cannot use the binary-ordered index. PostgreSQL answers LIKE 'abc%'
    /// from its text_pattern_ops index instead.
    /// </summary>
    public abstract bool PrefixSearchByRange { get; }

    /// <summary>Statements bracketing schema creation so replicas starting together do not race, or null.</summary>
    public virtual (string Lock, string Unlock)? SchemaLock => null;

    /// <summary>Statement taking a transaction-scoped lock on parameter @key (a 64-bit hash), or null if none is needed.</summary>
    public abstract string? LockStatement { get; }
}
