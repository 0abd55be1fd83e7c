using System.Security.Claims;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Gateway.Tests.Auth;

public sealed class CallerIdentityTests
{
    [Fact]
    public void ToCaller_JwtClaimNames_ReadsClientSubjectAndRoles()
    {
        var principal = Principal(("azp", "hospital-a"), ("oid", "oid-1"), ("sub", "sub-1"), ("roles", "Hospital"), ("roles", "Steward"));

        var caller = principal.ToCaller();

        Assert.Equal("hospital-a", caller.ClientId);
        Assert.Equal("oid-1", caller.Subject);
        Assert.Equal(["Hospital", "Steward"], caller.Roles);
        Assert.True(caller.IsHospital);
        Assert.True(caller.IsSteward);
        Assert.False(caller.IsResearcher);
        Assert.False(caller.IsDevice);
    }

    [Fact]
    public void ToCaller_MappedLongClaimTypes_ReadsSubjectAndRoles()
    {
        // With inbound claim mapping on, JwtBearer renames the claims and makes ClaimTypes.Role the role claim type.
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim("azp", "research-portal"),
                new Claim("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid-2"),
                new Claim(ClaimTypes.NameIdentifier, "sub-2"),
                new Claim(ClaimTypes.Role, "Researcher"),
            ],
            authenticationType: "Bearer", nameType: ClaimTypes.Name, roleType: ClaimTypes.Role));

        var caller = principal.ToCaller();

        Assert.Equal("oid-2", caller.Subject);
        Assert.True(caller.IsResearcher);
        Assert.Equal(["Researcher"], caller.Roles);
    }

    [Fact]
    public void ToCaller_V1TokenWithAppIdAndSubOnly_UsesAppIdAndSub()
    {
        var principal = Principal(("appid", "legacy-his"), ("sub", "sub-3"), ("roles", "Device"));

        var caller = principal.ToCaller();

        Assert.Equal("legacy-his", caller.ClientId);
        Assert.Equal("sub-3", caller.Subject);
        Assert.True(caller.IsDevice);
    }

    [Fact]
    public void ToCaller_AzpAndAppIdBoth_PrefersAzp()
    {
        var caller = Principal(("appid", "old"), ("azp", "new"), ("roles", "Hospital")).ToCaller();

        Assert.Equal("new", caller.ClientId);
    }

    [Fact]
    public void ToCaller_Unauthenticated_Throws()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());

        Assert.Throws<InvalidOperationException>(() => anonymous.ToCaller());
    }

    /// <summary>An identity shaped as the gateway's JwtBearer produces it: role claim type <c>roles</c>.</summary>
    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType: "Bearer", nameType: "name", roleType: "roles"));

    [Fact]
    public void ToCaller_ExtraRoleClaimOfAnotherType_DoesNotGrantThatRole()
    {
        var identity = new ClaimsIdentity(
            [new Claim("azp", "hospital-a"), new Claim("roles", "Hospital"), new Claim("role", "Steward")],
            authenticationType: "Bearer", nameType: "name", roleType: "roles");

        var caller = new ClaimsPrincipal(identity).ToCaller();

        Assert.True(caller.IsHospital);
        Assert.False(caller.IsSteward);
    }
}
