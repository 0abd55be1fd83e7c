using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace HealthDataSpace.Gateway.Tests.Infrastructure;

/// <summary>
/// A standards OIDC issuer for tests: WireMock.Net on a free loopback port serves the discovery document and JWKS
/// for an RSA key, and <see cref="CreateToken"/> mints real RS256 tokens the gateway validates the normal way.
/// </summary>
public sealed class TestIdentityProvider : IDisposable
{
    public const string TenantId = "test-tenant";
    public const string Audience = "healthdataspace-gateway-test";
    public const string DefaultClientId = "hospital-a";
    public const string DefaultSubject = "00000000-0000-0000-0000-0000000000a1";

    private readonly WireMockServer _server;
    private readonly RSA _rsa = RSA.Create(2048);

    public TestIdentityProvider()
    {
        SigningKey = new RsaSecurityKey(_rsa) { KeyId = "test-key-1" };
        var port = FreeLoopbackPort();
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] });
        // Built from the port: WireMock reports its URL as localhost, but the issuer is pinned to the loopback address.
        Instance = $"http://127.0.0.1:{port}/";
        Issuer = $"{Instance}{TenantId}/v2.0";

        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = SigningKey.KeyId });
        Serve($"/{TenantId}/v2.0/.well-known/openid-configuration", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"{Instance}{TenantId}/discovery/v2.0/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["response_types_supported"] = new[] { "token" },
            ["subject_types_supported"] = new[] { "public" },
        }));
        Serve($"/{TenantId}/discovery/v2.0/keys", JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, alg = "RS256", n = jwk.N, e = jwk.E } },
        }));
    }

    /// <summary>The value for <c>AzureAd:Instance</c>, ending in a slash.</summary>
    public string Instance { get; }

    /// <summary>The issuer the metadata announces and tokens carry by default.</summary>
    public string Issuer { get; }

    /// <summary>The key the JWKS publishes.</summary>
    public RsaSecurityKey SigningKey { get; }

    /// <summary>Gateway settings that point authentication at this provider.</summary>
    public IReadOnlyDictionary<string, string?> GatewaySettings => new Dictionary<string, string?>
    {
        ["AzureAd:Instance"] = Instance,
        ["AzureAd:TenantId"] = TenantId,
        ["AzureAd:ClientId"] = Audience,
        ["Authentication:ValidIssuers:0"] = Issuer,
        ["Authentication:RequireHttpsMetadata"] = "false",
        ["Authentication:DevelopmentIssuer:Enabled"] = "false",
    };

    /// <summary>Mints a signed RS256 access token shaped like an Entra ID app-only token.</summary>
    public string CreateToken(
        string[] roles,
        string clientId = DefaultClientId,
        string subject = DefaultSubject,
        string? audience = null,
        DateTimeOffset? expires = null,
        bool v1 = false,
        RsaSecurityKey? signWith = null,
        string? issuer = null)
    {
        var expiry = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).UtcDateTime;
        var issuedAt = expiry < DateTime.UtcNow ? expiry.AddHours(-1) : DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            [v1 ? "appid" : "azp"] = clientId,
            ["oid"] = subject,
            ["sub"] = subject,
            ["tid"] = TenantId,
            ["roles"] = roles,
            ["ver"] = v1 ? "1.0" : "2.0",
        };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            // v1 tokens carry the App ID URI form of the audience.
            Audience = audience ?? (v1 ? $"api://{Audience}" : Audience),
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expiry,
            Claims = claims,
            SigningCredentials = new SigningCredentials(signWith ?? SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An <c>alg: none</c> token with valid claims and no signature.</summary>
    public string CreateUnsignedToken(string[] roles)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new { alg = "none", typ = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["azp"] = DefaultClientId,
            ["oid"] = DefaultSubject,
            ["roles"] = roles,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        return $"{Encode(header)}.{Encode(payload)}.";

        static string Encode(object value) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        _rsa.Dispose();
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Serve(string path, string json) =>
        _server
            .Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(json));
}
