using System.CommandLine;
using HealthDataSpace.Cli;
using HealthDataSpace.Cli.Commands;
using Microsoft.IdentityModel.JsonWebTokens;

namespace HealthDataSpace.Gateway.Tests.Auth;

public sealed class TokenCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hds-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    [Fact]
    public async Task Run_UnknownRole_Exits2WithMessageOnStderr()
    {
        var exitCode = await RunAsync("token", "--role", "Nurse", "--data", _data);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, _output.ToString());
        Assert.Contains("Unknown role 'Nurse'", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoRole_Exits2()
    {
        var exitCode = await RunAsync("token", "--data", _data);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, _output.ToString());
    }

    [Theory]
    [InlineData("Hospital", "hospital-a")]
    [InlineData("steward", "steward-console")]
    [InlineData("Researcher", "research-portal")]
    [InlineData("Device", "edge-gateway")]
    public async Task Run_RoleWithoutClientId_UsesRoleDefaultClientId(string role, string expectedClientId)
    {
        var exitCode = await RunAsync("token", "--role", role, "--data", _data, "--lifetime", "30m");

        Assert.Equal(0, exitCode);
        var jwt = new JsonWebToken(_output.ToString().Trim());
        Assert.Equal(expectedClientId, jwt.GetClaim("azp").Value);
        Assert.Equal("RS256", jwt.Alg);
        Assert.InRange(jwt.ValidTo - jwt.IssuedAt, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        Assert.True(File.Exists(Path.Combine(_data, "dev-issuer", "signing-key.json")));
    }

    [Fact]
    public async Task Run_SeveralRolesAndSubject_PutsThemInToken()
    {
        var exitCode = await RunAsync("token", "--role", "Hospital", "--role", "Steward", "--subject", "abc", "--data", _data);

        Assert.Equal(0, exitCode);
        var jwt = new JsonWebToken(_output.ToString().Trim());
        Assert.Equal(["Hospital", "Steward"], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.Equal("abc", jwt.GetClaim("oid").Value);
        Assert.Equal("healthdataspace-gateway", jwt.Audiences.Single());
        Assert.Equal("http://127.0.0.1:5080/dev-issuer/local/v2.0", jwt.Issuer);
    }

    [Fact]
    public void DefaultDataPath_RepositoryRoot_UsesGatewayProjectDataFolder()
    {
        Directory.CreateDirectory(Path.Combine(_data, "src", "HealthDataSpace.Gateway"));

        Assert.Equal(Path.Combine(_data, "src", "HealthDataSpace.Gateway", "data"), TokenCommand.DefaultDataPath(_data));
    }

    [Fact]
    public void DefaultDataPath_ElsewhereUsesLocalDataFolder()
    {
        Directory.CreateDirectory(_data);

        Assert.Equal(Path.Combine(_data, "data"), TokenCommand.DefaultDataPath(_data));
    }

    [Theory]
    [InlineData("8h", 480)]
    [InlineData("30m", 30)]
    [InlineData("1d", 1440)]
    [InlineData("90s", 1.5)]
    [InlineData("01:00:00", 60)]
    public void TryParseLifetime_ValidText_ReturnsMinutes(string text, double minutes)
    {
        Assert.True(TokenCommand.TryParseLifetime(text, out var lifetime));
        Assert.Equal(TimeSpan.FromMinutes(minutes), lifetime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("-1h")]
    [InlineData("5y")]
    [InlineData("soon")]
    public void TryParseLifetime_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(TokenCommand.TryParseLifetime(text, out _));
    }

    public void Dispose()
    {
        _output.Dispose();
        _error.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private Task<int> RunAsync(params string[] args) =>
        HdsCli.RunAsync(args, new InvocationConfiguration { Output = _output, Error = _error });
}
