using Microsoft.Extensions.Options;

namespace HealthDataSpace.Gateway.Auth;

/// <summary>The gateway's single instance of the development key, loaded (or created) on first use.</summary>
internal sealed class DevelopmentSigningKeyStore(IConfiguration configuration, IOptions<GatewayAuthenticationOptions> options)
    : IDisposable
{
    private readonly Lazy<DevelopmentSigningKey> _key = new(
        () => DevelopmentSigningKey.LoadOrCreate(DataPathFrom(configuration)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    public DevelopmentSigningKey Key => options.Value.DevelopmentIssuer.Enabled
        ? _key.Value
        : throw new InvalidOperationException("The development issuer is not enabled.");

    /// <summary>The data folder; StorageOptions owns the section, this only reads the one key it needs.</summary>
    public static string DataPathFrom(IConfiguration configuration) => configuration["Storage:DataPath"] ?? "./data";

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }
}
