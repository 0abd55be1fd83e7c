using System.Net;
using System.Security.Cryptography;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.Tokens;

namespace HealthDataSpace.Gateway.Tests.Auth;

public sealed class TokenPrivacyTests
{
    [Fact]
    public async Task RejectedAndAcceptedTokens_NeverAppearInLogsBodiesOrHeaders()
    {
        using var identity = new TestIdentityProvider();
        using var gateway = new GatewayFactory(identity);
        using var otherRsa = RSA.Create(2048);
        string[] tokens =
        [
            identity.CreateToken([GatewayRoles.Hospital], subject: "subject-secret-1"),
            identity.CreateToken([GatewayRoles.Hospital], expires: DateTimeOffset.UtcNow.AddHours(-1)),
            identity.CreateToken([GatewayRoles.Hospital], audience: "elsewhere"),
            identity.CreateToken([GatewayRoles.Hospital], signWith: new RsaSecurityKey(otherRsa) { KeyId = "x" }),
            identity.CreateUnsignedToken([GatewayRoles.Hospital]),
        ];

        var everything = new List<string>();
        foreach (var token in tokens)
        {
            foreach (var path in new[] { "/auth/me", "/fhir/Patient" })
            {
                using var client = gateway.CreateClientWithToken(token);
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                everything.Add(await response.Content.ReadAsStringAsync());
                everything.AddRange(response.Headers.WwwAuthenticate.Select(h => h.ToString()));
            }
        }

        everything.AddRange(gateway.Logs.Messages);
        Assert.Contains(gateway.Logs.Messages, m => m.Contains("token expired", StringComparison.Ordinal));
        foreach (var token in tokens)
        {
            var signedPart = token[..token.LastIndexOf('.')];
            Assert.DoesNotContain(everything, text => text.Contains(signedPart, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(gateway.Logs.Messages, m => m.Contains("subject-secret-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetMe_Forbidden403_LogsClientIdOnly()
    {
        using var identity = new TestIdentityProvider();
        using var gateway = new GatewayFactory(identity).WithTestEndpoints(routes =>
            routes.MapGet("/fhir/_authprobe", () => "ok").RequireAuthorization(GatewayPolicies.FhirClient));
        using var client = gateway.CreateClientWithToken(
            identity.CreateToken([GatewayRoles.Device], "edge-7", subject: "device-subject-secret"));

        using var response = await client.GetAsync(new Uri("/fhir/_authprobe", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(gateway.Logs.Messages, m => m.Contains("edge-7", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Messages, m => m.Contains("device-subject-secret", StringComparison.Ordinal));
    }
}
