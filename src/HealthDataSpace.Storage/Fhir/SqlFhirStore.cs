using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Storage.Fhir;

/// <summary>The FHIR store over a SQL database (<see cref="SqlDialect"/> says which).</summary>
internal sealed class SqlFhirStore(SqlDialect dialect) : IFhirStore, IDisposable
{
    // SQLite has one writer at a time; queueing here is fairer and cheaper than retrying on SQLITE_BUSY.
    private readonly SemaphoreSlim writerGate = new(1, 1);

    public string Backend => dialect.Name;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        var schemaLock = dialect.SchemaLock;
        if (schemaLock is { } locking)
        {
            await ExecuteAsync(connection, locking.Lock, cancellationToken);
        }

        try
        {
            foreach (var statement in dialect.Schema.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await ExecuteAsync(connection, statement, cancellationToken);
            }
        }
        finally
        {
            if (schemaLock is { } unlocking)
            {
                await ExecuteAsync(connection, unlocking.Unlock, CancellationToken.None);
            }
        }
    }

    public async Task<IFhirStoreSession> OpenSessionAsync(bool forWrite, CancellationToken cancellationToken)
    {
        var gated = forWrite && dialect.SingleWriter;
        if (gated)
        {
            await writerGate.WaitAsync(cancellationToken);
        }

        try
        {
            var connection = await dialect.OpenAsync(forWrite, cancellationToken);
            try
            {
                var transaction = await dialect.BeginAsync(connection, forWrite, cancellationToken);
                return new SqlFhirSession(dialect, connection, transaction, gated ? writerGate : null);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (gated)
            {
                writerGate.Release();
            }

            throw;
        }
    }

    public void Dispose() => writerGate.Dispose();

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
