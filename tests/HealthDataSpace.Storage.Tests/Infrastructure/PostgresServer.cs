using Npgsql;

namespace HealthDataSpace.Storage.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests. `./build.sh test` starts one and passes its connection string in
/// HDS_TEST_POSTGRES; when a developer runs `dotnet test` alone, this starts one itself with the same script
/// (infra/local/postgres.sh, which installs PostgreSQL from Debian packages when missing) and stops it afterwards.
/// Each test class gets its own database, dropped at the end.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? startedIn;

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("HDS_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        startedIn = Path.Combine(RepositoryPaths.Root, ".tmp", "pg-dotnet-test");
        ConnectionString = (await RunScriptAsync("start", startedIn)).Trim();
        if (ConnectionString.Length == 0)
        {
            throw new InvalidOperationException("infra/local/postgres.sh start printed no connection string.");
        }
    }

    public async Task DisposeAsync()
    {
        if (startedIn is not null)
        {
            await RunScriptAsync("stop", startedIn);
        }
    }

    /// <summary>Creates an empty database and returns a data source for it.</summary>
    private async Task<(NpgsqlDataSource DataSource, string Database)> CreateDatabaseAsync()
    {
        var name = "hds_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(ConnectionString))
        {
            await using var command = admin.CreateCommand($"CREATE DATABASE {name}");
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name };
        return (NpgsqlDataSource.Create(builder.ConnectionString), name);
    }

    /// <summary>An empty database of its own for one test class, dropped when disposed.</summary>
    public async Task<PostgresTestDatabase> CreateTestDatabaseAsync()
    {
        var (dataSource, name) = await CreateDatabaseAsync();
        return new PostgresTestDatabase(this, dataSource, name);
    }

    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(ConnectionString);
        await using var command = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
    }

    private static Task<string> RunScriptAsync(string verb, string folder) => LocalServiceScript.RunAsync("postgres.sh", verb, folder);
}

/// <summary>A throwaway database on <see cref="PostgresServer"/>: its data source, dropped (forcibly) on dispose.</summary>
public sealed class PostgresTestDatabase(PostgresServer server, NpgsqlDataSource dataSource, string name) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource => dataSource;

    public async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync();
        await server.DropDatabaseAsync(name);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
