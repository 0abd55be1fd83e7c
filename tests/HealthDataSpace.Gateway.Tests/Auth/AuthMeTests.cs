using System.Net;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;

namespace HealthDataSpace.Gateway.Tests.Auth;

[Collection(GatewayTestGroup.Name)]
public sealed class AuthMeTests(GatewayFixture fixture)
{
    [Theory]
    [InlineData(GatewayRoles.Hospital, "hospital-a")]
    [InlineData(GatewayRoles.Device, "edge-gateway")]
    [InlineData(GatewayRoles.Steward, "steward-console")]
    [InlineData(GatewayRoles.Researcher, "research-portal")]
    public async Task GetMe_RoleToken_ReturnsClientSubjectAndRole(string role, string clientId)
    {
        var subject = Guid.NewGuid().ToString();
        using var client = fixture.Gateway.CreateClientWithToken(
            fixture.Identity.CreateToken([role], clientId, subject));

        using var response = await client.GetAsync(new Uri("/auth/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await AuthResponses.ReadMeAsync(response);
        Assert.Equal(clientId, me.ClientId);
        Assert.Equal(subject, me.Subject);
        Assert.Equal([role], me.Roles);
    }

    [Fact]
    public async Task GetMe_SeveralRoles_ReturnsAllRoles()
    {
        using var client = fixture.Gateway.CreateClientWithToken(
            fixture.Identity.CreateToken([GatewayRoles.Hospital, GatewayRoles.Steward]));

        using var response = await client.GetAsync(new Uri("/auth/me", UriKind.Relative));

        var me = await AuthResponses.ReadMeAsync(response);
        Assert.Equal([GatewayRoles.Hospital, GatewayRoles.Steward], me.Roles);
    }

    [Fact]
    public async Task GetMe_V1TokenWithAppIdAndApiAudience_ReturnsAppIdAsClientId()
    {
        using var client = fixture.Gateway.CreateClientWithToken(
            fixture.Identity.CreateToken([GatewayRoles.Hospital], clientId: "legacy-his", v1: true));

        using var response = await client.GetAsync(new Uri("/auth/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await AuthResponses.ReadMeAsync(response);
        Assert.Equal("legacy-his", me.ClientId);
        Assert.Equal(TestIdentityProvider.DefaultSubject, me.Subject);
    }
}
