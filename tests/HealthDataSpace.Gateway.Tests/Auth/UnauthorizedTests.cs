using System.Net;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;
using System.Security.Cryptography;

namespace HealthDataSpace.Gateway.Tests.Auth;

[Collection(GatewayTestGroup.Name)]
public sealed class UnauthorizedTests(GatewayFixture fixture)
{
    private static readonly Uri Me = new("/auth/me", UriKind.Relative);

    [Fact]
    public async Task GetMe_NoToken_Returns401ProblemDetailsWithBearerChallenge()
    {
        using var client = fixture.Gateway.CreateClient();

        using var response = await client.GetAsync(Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        var problem = await AuthResponses.ReadJsonAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("missing bearer token", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GetMe_ExpiredToken_Returns401TokenExpiredWithoutEchoingToken()
    {
        var token = fixture.Identity.CreateToken([GatewayRoles.Hospital], expires: DateTimeOffset.UtcNow.AddHours(-1));

        var (response, body) = await SendAsync(token, Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("token expired", body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], body, StringComparison.Ordinal);
        Assert.DoesNotContain(TestIdentityProvider.DefaultSubject, body, StringComparison.Ordinal);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.DoesNotContain(token, challenge.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_WrongAudience_Returns401()
    {
        var token = fixture.Identity.CreateToken([GatewayRoles.Hospital], audience: "some-other-api");

        var (response, body) = await SendAsync(token, Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("audience", body, StringComparison.Ordinal);
        Assert.DoesNotContain("some-other-api", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_WrongIssuer_Returns401()
    {
        var token = fixture.Identity.CreateToken([GatewayRoles.Hospital], issuer: "https://evil.example/tenant/v2.0");

        var (response, body) = await SendAsync(token, Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("issuer is not trusted", body, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_SignedByAnotherKey_Returns401()
    {
        using var otherRsa = RSA.Create(2048);
        var token = fixture.Identity.CreateToken(
            [GatewayRoles.Hospital], signWith: new RsaSecurityKey(otherRsa) { KeyId = "attacker-key" });

        var (response, body) = await SendAsync(token, Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("key", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_AnotherKeyReusingPublishedKeyId_Returns401()
    {
        using var otherRsa = RSA.Create(2048);
        var token = fixture.Identity.CreateToken(
            [GatewayRoles.Hospital], signWith: new RsaSecurityKey(otherRsa) { KeyId = fixture.Identity.SigningKey.KeyId });

        var (response, _) = await SendAsync(token, Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetMe_UnsignedAlgNoneToken_Returns401()
    {
        var token = fixture.Identity.CreateUnsignedToken([GatewayRoles.Steward]);

        var (response, body) = await SendAsync(token, Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_GarbageToken_Returns401()
    {
        var (response, body) = await SendAsync("not-a-jwt", Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("not-a-jwt", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFhir_NoToken_Returns401OperationOutcome()
    {
        using var client = fixture.Gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/fhir/Patient", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var outcome = await AuthResponses.ReadJsonAsync(response);
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        var issue = Assert.Single(outcome.GetProperty("issue").EnumerateArray());
        Assert.Equal("error", issue.GetProperty("severity").GetString());
        Assert.Equal("login", issue.GetProperty("code").GetString());
        Assert.Equal("missing bearer token", issue.GetProperty("diagnostics").GetString());
    }

    [Fact]
    public async Task GetFhir_ExpiredToken_Returns401OperationOutcomeWithoutToken()
    {
        var token = fixture.Identity.CreateToken([GatewayRoles.Hospital], expires: DateTimeOffset.UtcNow.AddHours(-2));

        var (response, body) = await SendAsync(token, new Uri("/fhir/Patient", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"login\"", body, StringComparison.Ordinal);
        Assert.Contains("token expired", body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
    }

    private async Task<(HttpResponseMessage Response, string Body)> SendAsync(string token, Uri path)
    {
        using var client = fixture.Gateway.CreateClientWithToken(token);
        var response = await client.GetAsync(path);
        return (response, await response.Content.ReadAsStringAsync());
    }
}
