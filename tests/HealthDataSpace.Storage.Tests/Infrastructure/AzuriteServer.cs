namespace HealthDataSpace.Storage.Tests.Infrastructure;

/// <summary>
/// A real Azurite blob service for the AzureBlob tests. `./build.sh test` starts one and passes its connection string in
/// HDS_TEST_AZURITE; a developer running `dotnet test` alone gets one started here with the same script
/// (infra/local/azurite.sh, which installs Azurite from npm on first use), stopped afterwards.
/// </summary>
public sealed class AzuriteServer : IAsyncLifetime
{
    private string? startedIn;

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("HDS_TEST_AZURITE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        startedIn = Path.Combine(RepositoryPaths.Root, ".tmp", "azurite-dotnet-test");
        ConnectionString = (await LocalServiceScript.RunAsync("azurite.sh", "start", startedIn)).Trim();
        if (ConnectionString.Length == 0)
        {
            throw new InvalidOperationException("infra/local/azurite.sh start printed no connection string.");
        }
    }

    public async Task DisposeAsync()
    {
        if (startedIn is not null)
        {
            await LocalServiceScript.RunAsync("azurite.sh", "stop", startedIn);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "Azurite";
}
