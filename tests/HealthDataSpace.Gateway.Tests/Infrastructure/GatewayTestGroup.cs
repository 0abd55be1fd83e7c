namespace HealthDataSpace.Gateway.Tests.Infrastructure;

/// <summary>
/// One identity provider and one default gateway shared by every integration test class in the collection.
/// Tests that need other settings create their own <see cref="GatewayFactory"/> from <see cref="Identity"/>.
/// </summary>
public sealed class GatewayFixture : IDisposable
{
    public GatewayFixture()
    {
        Identity = new TestIdentityProvider();
        Gateway = new GatewayFactory(Identity);
    }

    public TestIdentityProvider Identity { get; }

    public GatewayFactory Gateway { get; }

    public void Dispose()
    {
        Gateway.Dispose();
        Identity.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayTestGroup : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway";
}
