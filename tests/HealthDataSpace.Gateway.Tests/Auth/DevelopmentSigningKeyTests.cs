using HealthDataSpace.Gateway.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthDataSpace.Gateway.Tests.Auth;

public sealed class DevelopmentSigningKeyTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hds-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void LoadOrCreate_FirstUse_CreatesOwnerOnlyFile()
    {
        using var key = DevelopmentSigningKey.LoadOrCreate(_data);

        var path = DevelopmentSigningKey.PathFor(_data);
        Assert.True(File.Exists(path));
        Assert.Equal("*\n", File.ReadAllText(Path.Combine(_data, "dev-issuer", ".gitignore")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void LoadOrCreate_SecondUse_LoadsSameKey()
    {
        using var first = DevelopmentSigningKey.LoadOrCreate(_data);
        using var second = DevelopmentSigningKey.LoadOrCreate(_data);

        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(first.ToPublicJsonWebKey().N, second.ToPublicJsonWebKey().N);
    }

    [Fact]
    public async Task Mint_Token_ValidatesAgainstPublishedKey()
    {
        using var key = DevelopmentSigningKey.LoadOrCreate(_data);
        var token = DevelopmentTokenMinter.Mint(key, new DevelopmentTokenRequest(
            ["Hospital", "Steward"], "hospital-a", DevelopmentTokenMinter.DefaultIssuer, DevelopmentTokenMinter.DefaultAudience, TimeSpan.FromMinutes(5)));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = DevelopmentTokenMinter.DefaultIssuer,
            ValidAudience = DevelopmentTokenMinter.DefaultAudience,
            IssuerSigningKey = key.ToPublicJsonWebKey(),
            ValidAlgorithms = ["RS256"],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("hospital-a", result.Claims["azp"]);
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
