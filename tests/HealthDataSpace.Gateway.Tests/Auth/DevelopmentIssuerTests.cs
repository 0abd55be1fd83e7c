using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Cli;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;

namespace HealthDataSpace.Gateway.Tests.Auth;

/// <summary>
/// The real gateway on Kestrel (not TestServer): with the development issuer enabled it fetches its own metadata
/// over loopback http and validates tokens through the normal Microsoft.Identity.Web path.
/// </summary>
public sealed class DevelopmentIssuerGatewayFixture : IDisposable
{
    public DevelopmentIssuerGatewayFixture()
    {
        Identity = new TestIdentityProvider();
        Port = TestIdentityProvider.FreeLoopbackPort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        Issuer = $"http://127.0.0.1:{Port}/dev-issuer/local/v2.0";
        Gateway = new GatewayFactory(Identity, new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = $"http://127.0.0.1:{Port}/dev-issuer/",
            ["AzureAd:TenantId"] = "local",
            ["AzureAd:ClientId"] = DevelopmentTokenMinter.DefaultAudience,
            ["Authentication:ValidIssuers:0"] = Issuer,
            ["Authentication:DevelopmentIssuer:Enabled"] = "true",
        });
        Gateway.UseKestrel(Port);
        Gateway.StartServer();
    }

    public TestIdentityProvider Identity { get; }

    public GatewayFactory Gateway { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Issuer { get; }

    public HttpClient CreateClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public void Dispose()
    {
        Gateway.Dispose();
        Identity.Dispose();
    }
}

public sealed class DevelopmentIssuerTests(DevelopmentIssuerGatewayFixture fixture) : IClassFixture<DevelopmentIssuerGatewayFixture>
{
    private static readonly Uri Me = new("/auth/me", UriKind.Relative);

    [Fact]
    public async Task GetMe_TokenMintedWithDevelopmentKey_Returns200()
    {
        string token;
        using (var key = DevelopmentSigningKey.LoadOrCreate(fixture.Gateway.DataPath))
        {
            token = DevelopmentTokenMinter.Mint(key, new DevelopmentTokenRequest(
                [GatewayRoles.Steward], "steward-console", fixture.Issuer, DevelopmentTokenMinter.DefaultAudience, TimeSpan.FromHours(1)));
        }

        using var client = fixture.CreateClient(token);
        using var response = await client.GetAsync(Me);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await AuthResponses.ReadMeAsync(response);
        Assert.Equal("steward-console", me.ClientId);
        Assert.Equal(DevelopmentTokenMinter.StableSubjectFor("steward-console"), me.Subject);
        Assert.Equal([GatewayRoles.Steward], me.Roles);
    }

    [Fact]
    public async Task TokenCommand_InProcess_PrintsTokenTheGatewayAccepts()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await HdsCli.RunAsync(
            ["token", "--role", "Hospital", "--client-id", "hospital-b", "--data", fixture.Gateway.DataPath, "--issuer", fixture.Issuer],
            new System.CommandLine.InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error.ToString());
        var token = output.ToString().Trim();
        Assert.Equal(3, token.Split('.').Length);
        using var client = fixture.CreateClient(token);
        using var response = await client.GetAsync(Me);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await AuthResponses.ReadMeAsync(response);
        Assert.Equal("hospital-b", me.ClientId);
        Assert.Equal([GatewayRoles.Hospital], me.Roles);
    }

    [Fact]
    public async Task GetMe_TokenSignedByOtherDataFolderKey_Returns401()
    {
        var otherData = Path.Combine(Path.GetTempPath(), "hds-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string token;
            using (var otherKey = DevelopmentSigningKey.LoadOrCreate(otherData))
            {
                token = DevelopmentTokenMinter.Mint(otherKey, new DevelopmentTokenRequest(
                    [GatewayRoles.Hospital], "hospital-a", fixture.Issuer, DevelopmentTokenMinter.DefaultAudience, TimeSpan.FromHours(1)));
            }

            using var client = fixture.CreateClient(token);
            using var response = await client.GetAsync(Me);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        finally
        {
            Directory.Delete(otherData, recursive: true);
        }
    }

    [Fact]
    public async Task GetDiscovery_Anonymous_ReturnsIssuerAndKeys()
    {
        using var client = fixture.CreateClient();

        using var discovery = await client.GetAsync(new Uri("/dev-issuer/local/v2.0/.well-known/openid-configuration", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        var document = await discovery.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(fixture.Issuer, document.GetProperty("issuer").GetString());
        var jwksUri = new Uri(document.GetProperty("jwks_uri").GetString()!);

        using var jwks = await client.GetAsync(jwksUri);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        var key = Assert.Single((await jwks.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.False(key.TryGetProperty("d", out _), "the JWKS must not publish the private exponent");
    }
}
