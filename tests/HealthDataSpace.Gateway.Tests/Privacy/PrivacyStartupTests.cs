using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Gateway.Features.Privacy;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HealthDataSpace.Gateway.Tests.Privacy;

[Collection(GatewayTestGroup.Name)]
public sealed class PrivacyStartupTests(GatewayFixture fixture)
{
    private static GatewayFactory Production(GatewayFixture fixture) => new GatewayFactory(fixture.Identity)
        .WithEnvironment("Production")
        .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
        .WithSetting("Authentication:RequireHttpsMetadata", "true")
        .WithSetting("Devices:KeyEncryptionKey", Convert.ToBase64String(new byte[32]));

    [Fact]
    public void Start_ProductionWithoutMasterKey_FailsNamingTheSetting()
    {
        using var factory = Production(fixture);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Privacy:MasterKey is not set", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ProductionWithShortMasterKey_FailsWithoutEchoingIt()
    {
        using var factory = Production(fixture).WithSetting("Privacy:MasterKey", "c2VjcmV0LXNob3J0");

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient()).ToString();

        Assert.Contains("Privacy:MasterKey is invalid", error, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LXNob3J0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_DevelopmentWithoutMasterKey_GeneratesOneIntoTheDataFolderAndKeepsIt()
    {
        using var factory = new GatewayFactory(fixture.Identity);
        using var client = factory.CreateClient();
        var keyFile = DevelopmentMasterKey.PathFor(factory.DataPath);

        var pseudonym = factory.Services.GetRequiredService<PseudonymDomains>().ForProject("study-a").PseudonymizeId("Patient", "123");

        Assert.True(File.Exists(keyFile));
        var key = File.ReadAllText(keyFile).Trim();
        Assert.Equal(32, PseudonymDomain.DecodeMasterKey(key).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        Assert.Equal(key, DevelopmentMasterKey.LoadOrCreate(factory.DataPath));
        Assert.Equal(PseudonymDomain.ForProject(key, "study-a").PseudonymizeId("Patient", "123"), pseudonym);
        Assert.DoesNotContain(factory.Logs.Messages, m => m.Contains(key, StringComparison.Ordinal));
    }
}
