using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace HealthDataSpace.Gateway.Tests.Auth;

[Collection(GatewayTestGroup.Name)]
public sealed class StartupValidationTests(GatewayFixture fixture)
{
    [Fact]
    public void Start_RequireHttpsMetadataFalseInProduction_Fails()
    {
        using var factory = new GatewayFactory(fixture.Identity)
            .WithEnvironment("Production")
            .WithSetting("Authentication:RequireHttpsMetadata", "false");

        var message = StartupFailure(factory);

        Assert.Contains("RequireHttpsMetadata=false is only allowed in the Development environment", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_DevelopmentIssuerEnabledInProduction_Fails()
    {
        using var factory = new GatewayFactory(fixture.Identity)
            .WithEnvironment("Production")
            .WithSetting("Authentication:RequireHttpsMetadata", "true")
            .WithSetting("Authentication:DevelopmentIssuer:Enabled", "true");

        var message = StartupFailure(factory);

        Assert.Contains("DevelopmentIssuer:Enabled=true is only allowed in the Development environment", message, StringComparison.Ordinal);
        Assert.DoesNotContain("RequireHttpsMetadata", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_MissingClientId_Fails()
    {
        using var factory = new GatewayFactory(fixture.Identity).WithSetting("AzureAd:ClientId", "");

        var message = StartupFailure(factory);

        Assert.Contains("AzureAd:ClientId is required", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ProductionWithHttpsMetadata_Starts()
    {
        using var factory = new GatewayFactory(fixture.Identity)
            .WithEnvironment("Production")
            .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .WithSetting("Authentication:RequireHttpsMetadata", "true")
            .WithSetting("Audit:ChainKey", Convert.ToBase64String(new byte[32]))
            .WithSetting("Privacy:MasterKey", Convert.ToBase64String(new byte[32]))
            .WithSetting("Devices:KeyEncryptionKey", Convert.ToBase64String(new byte[32]));

        using var client = factory.CreateClient();

        Assert.NotNull(client);
    }

    [Fact]
    public void Start_ProductionWithoutAuditChainKey_Fails()
    {
        using var factory = new GatewayFactory(fixture.Identity)
            .WithEnvironment("Production")
            .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .WithSetting("Authentication:RequireHttpsMetadata", "true")
            .WithSetting("Privacy:MasterKey", Convert.ToBase64String(new byte[32]))
            .WithSetting("Devices:KeyEncryptionKey", Convert.ToBase64String(new byte[32]));

        var message = StartupFailure(factory);

        Assert.Contains("Audit:ChainKey must be base64 of at least 32 random bytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ProductionWithoutDeviceKeyEncryptionKey_Fails()
    {
        using var factory = new GatewayFactory(fixture.Identity)
            .WithEnvironment("Production")
            .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .WithSetting("Authentication:RequireHttpsMetadata", "true")
            .WithSetting("Audit:ChainKey", Convert.ToBase64String(new byte[32]))
            .WithSetting("Privacy:MasterKey", Convert.ToBase64String(new byte[32]));

        var message = StartupFailure(factory);

        Assert.Contains("Devices:KeyEncryptionKey is required outside Development", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Audit:ChainKey", "c2hvcnQ=", "Audit:ChainKey must be base64")]
    [InlineData("Consent:Defaults:RESEARCH", "OptOut", "Consent:Defaults is invalid")]
    [InlineData("Consent:Defaults:HRESCH", "Maybe", "Consent:Defaults is invalid")]
    [InlineData("Devices:KeyEncryptionKey", "c2hvcnQ=", "Devices:KeyEncryptionKey must be base64 of exactly 32 bytes")]
    [InlineData("Devices:HostName", "a/b", "Devices:HostName must be a host name")]
    [InlineData("Mqtt:BindAddress", "not-an-address", "Mqtt:BindAddress must be an IP address")]
    [InlineData("Mqtt:TlsCertificatePath", "/nonexistent/server.pfx", "Mqtt:TlsCertificatePath names a file that does not exist")]
    [InlineData("Telemetry:QueueCapacity", "0", "QueueCapacity")]
    [InlineData("Telemetry:Templates:DeviceContentPath", "/nonexistent/devicecontent.json", "Telemetry:Templates")]
    public void Start_InvalidSetting_Fails(string key, string value, string expected)
    {
        using var factory = new GatewayFactory(fixture.Identity).WithSetting(key, value);

        var message = StartupFailure(factory);

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingAzureAdSection_FailsWithClearMessage()
    {
        var validator = new AzureAdOptionsValidator(new ConfigurationBuilder().Build(), Environment("Development"));

        var result = validator.Validate(null, new AzureAdOptions());

        Assert.True(result.Failed);
        Assert.Contains("'AzureAd' configuration section is missing", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingInstanceAndTenant_ListsBoth()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureAd:ClientId"] = "x" })
            .Build();
        var validator = new AzureAdOptionsValidator(configuration, Environment("Development"));

        var result = validator.Validate(null, new AzureAdOptions { ClientId = "x" });

        Assert.True(result.Failed);
        Assert.Contains("AzureAd:Instance is required", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("AzureAd:TenantId is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    public void Validate_MultiTenantAuthorityWithoutIssuerList_Fails(string tenant)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureAd:TenantId"] = tenant }).Build();
        var validator = new AzureAdOptionsValidator(configuration, Environment("Production"));

        var result = validator.Validate(null, new AzureAdOptions { Instance = "https://login.microsoftonline.com/", TenantId = tenant, ClientId = "x" });

        Assert.True(result.Failed);
        Assert.Contains("would accept tokens from any tenant", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpAuthorityOutsideDevelopment_Fails()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureAd:ClientId"] = "x" }).Build();
        var production = new AzureAdOptionsValidator(configuration, Environment("Production"));
        var development = new AzureAdOptionsValidator(configuration, Environment("Development"));
        var options = new AzureAdOptions { Instance = "http://idp.internal/", TenantId = "t", ClientId = "x" };

        Assert.True(production.Validate(null, options).Failed);
        Assert.True(development.Validate(null, options).Succeeded);
    }

    private static Microsoft.Extensions.Hosting.Internal.HostingEnvironment Environment(string name) =>
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = name };

    private static string StartupFailure(GatewayFactory factory)
    {
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var messages = new List<string>();
        if (exception is ObjectDisposedException)
        {
            // WebApplicationFactory sometimes reads the host's services after the failed start disposed them and
            // reports that instead; the start failure itself is then only in the host's "failed to start" log entry.
            messages.AddRange(factory.Logs.Messages.Where(m => m.StartsWith("Error", StringComparison.Ordinal) || m.StartsWith("Critical", StringComparison.Ordinal)));
        }

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
            if (current is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(e => e.Message));
            }
        }

        return string.Join(" | ", messages);
    }
}
