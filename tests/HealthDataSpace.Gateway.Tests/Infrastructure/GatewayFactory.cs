using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthDataSpace.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway hosted in-process for integration tests: environment Development, a fresh data folder (deleted on
/// dispose), authentication pointed at a <see cref="TestIdentityProvider"/>, development issuer off. Settings can be
/// added or overridden before the first client is created. Tokens are validated for real; there is no bypass.
/// </summary>
public class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<Action<IEndpointRouteBuilder>> _testEndpoints = [];
    private readonly List<Action<IServiceCollection>> _services = [];
    private string _environment = "Development";

    public GatewayFactory(TestIdentityProvider identity, IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Identity = identity;
        DataPath = Path.Combine(Path.GetTempPath(), "hds-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataPath);

        _settings = new Dictionary<string, string?>(identity.GatewaySettings, StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:DataPath"] = DataPath,
            // Any free port: many gateways run side by side in the test run.
            ["Mqtt:Port"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public TestIdentityProvider Identity { get; }

    /// <summary>Every log message the gateway wrote, formatted, so tests can assert nothing sensitive is logged.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>This gateway's <c>Storage:DataPath</c>.</summary>
    public string DataPath { get; }

    /// <summary>Adds or overrides one configuration value. Call before the first client is created.</summary>
    public GatewayFactory WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Hosts the gateway in another environment (default Development). Call before the first client.</summary>
    public GatewayFactory WithEnvironment(string environment)
    {
        _environment = environment;
        return this;
    }

    /// <summary>
    /// Maps extra endpoints into the real pipeline (after Program's own routes, under the same authentication and
    /// authorization middleware), e.g. a probe under <c>/fhir</c> that requires a policy.
    /// </summary>
    public GatewayFactory WithTestEndpoints(Action<IEndpointRouteBuilder> map)
    {
        _testEndpoints.Add(map);
        return this;
    }

    /// <summary>Replaces or adds services after the gateway's own registrations. Call before the first client.</summary>
    public GatewayFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>A client that sends <c>Authorization: Bearer {token}</c>.</summary>
    public HttpClient CreateClientWithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client holding a valid token with one role.</summary>
    public HttpClient CreateClientFor(string role, string clientId = TestIdentityProvider.DefaultClientId) =>
        CreateClientWithToken(Identity.CreateToken([role], clientId));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        // After the gateway's own registrations (ConfigureServices would run before them).
        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
        if (_testEndpoints.Count > 0)
        {
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new TestEndpointsStartupFilter(_testEndpoints)));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Logs.Dispose();
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
