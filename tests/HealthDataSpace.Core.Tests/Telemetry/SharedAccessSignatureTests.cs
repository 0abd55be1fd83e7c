using System.Security.Cryptography;
using System.Text;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>IoT Hub SAS tokens: built as the Azure SDKs build them, validated as IoT Hub validates them.</summary>
public sealed class SharedAccessSignatureTests
{
    private const string Host = "myhub.azure-devices.net";
    private const string Device = "watch-42";
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DeviceKeys Keys = new(Enumerable.Repeat((byte)1, 32).ToArray(), Enumerable.Repeat((byte)2, 32).ToArray());

    /// <summary>A token written by hand from the IoT Hub documentation's recipe, independent of <see cref="SharedAccessSignature.Build"/>.</summary>
    private static string HandMade(byte[] key, string resource, long expiry, bool lowerCaseHex = false)
    {
        var encoded = Uri.EscapeDataString(resource);
        if (lowerCaseHex)
        {
            encoded = encoded.Replace("%2F", "%2f", StringComparison.Ordinal);
        }

        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{encoded}\n{expiry}")));
        return $"SharedAccessSignature sr={encoded}&sig={Uri.EscapeDataString(signature)}&se={expiry}";
    }

    private static SasValidation Check(string token, string device = Device, DateTimeOffset? now = null)
    {
        Assert.True(SharedAccessSignature.TryParse(token, out var parsed));
        return SharedAccessSignature.Validate(parsed, Host, device, Keys, now ?? Now);
    }

    [Fact]
    public void Build_MatchesTheDocumentedRecipe()
    {
        var expiry = Now.AddHours(1);

        var built = SharedAccessSignature.Build(Host, Device, Keys.Primary, expiry);

        Assert.Equal(HandMade(Keys.Primary, $"{Host}/devices/{Device}", expiry.ToUnixTimeSeconds()), built);
    }

    [Fact]
    public void Validate_PrimaryOrSecondaryKey_Valid()
    {
        var expiry = Now.AddMinutes(5).ToUnixTimeSeconds();

        Assert.Equal(SasValidation.Valid, Check(HandMade(Keys.Primary, $"{Host}/devices/{Device}", expiry)));
        Assert.Equal(SasValidation.Valid, Check(HandMade(Keys.Secondary, $"{Host}/devices/{Device}", expiry)));
    }

    [Fact]
    public void Validate_HostInOtherCaseAndLowerCaseEscapes_Valid()
    {
        var expiry = Now.AddMinutes(5).ToUnixTimeSeconds();

        Assert.Equal(SasValidation.Valid, Check(HandMade(Keys.Primary, $"MyHub.Azure-Devices.NET/devices/{Device}", expiry)));
        Assert.Equal(SasValidation.Valid, Check(HandMade(Keys.Primary, $"{Host}/devices/{Device}", expiry, lowerCaseHex: true)));
    }

    [Fact]
    public void Validate_Refusals_SayWhy()
    {
        var expiry = Now.AddMinutes(5).ToUnixTimeSeconds();
        var otherKey = Enumerable.Repeat((byte)3, 32).ToArray();

        Assert.Equal(SasValidation.Expired, Check(HandMade(Keys.Primary, $"{Host}/devices/{Device}", Now.ToUnixTimeSeconds())));
        Assert.Equal(SasValidation.Expired, Check(HandMade(Keys.Primary, $"{Host}/devices/{Device}", expiry), now: Now.AddMinutes(6)));
        Assert.Equal(SasValidation.BadSignature, Check(HandMade(otherKey, $"{Host}/devices/{Device}", expiry)));
        Assert.Equal(SasValidation.WrongResource, Check(HandMade(Keys.Primary, $"{Host}/devices/other", expiry)));
        Assert.Equal(SasValidation.WrongResource, Check(HandMade(Keys.Primary, $"other.azure-devices.net/devices/{Device}", expiry)));
        Assert.Equal(SasValidation.WrongResource, Check(HandMade(Keys.Primary, Host, expiry)));
    }

    [Fact]
    public void Validate_ExpiryChangedAfterSigning_BadSignature()
    {
        var token = HandMade(Keys.Primary, $"{Host}/devices/{Device}", Now.AddMinutes(5).ToUnixTimeSeconds());
        var extended = token.Replace($"se={Now.AddMinutes(5).ToUnixTimeSeconds()}", $"se={Now.AddDays(365).ToUnixTimeSeconds()}", StringComparison.Ordinal);

        Assert.Equal(SasValidation.BadSignature, Check(extended));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("SharedAccessSignature ")]
    [InlineData("SharedAccessSignature sr=a&sig=b")]
    [InlineData("SharedAccessSignature sr=a&sig=AAAA&se=1")]
    [InlineData("SharedAccessSignature sr=a&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D&se=soon")]
    [InlineData("SharedAccessSignature sr=a&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D&se=1&skn=iothubowner")]
    [InlineData("SharedAccessSignature sr=a&sr=b&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D&se=1")]
    public void TryParse_Malformed_False(string token)
    {
        Assert.False(SharedAccessSignature.TryParse(token, out _));
    }

    [Fact]
    public void TryParse_DeviceScopedResource_NamesTheDevice()
    {
        Assert.True(SharedAccessSignature.TryParse(SharedAccessSignature.Build(Host, Device, Keys.Primary, Now), out var parsed));
        Assert.Equal(Device, parsed.DeviceId);
        Assert.True(SharedAccessSignature.TryParse(HandMade(Keys.Primary, $"{Host}/devices/{Device}/modules/m1", 1), out var module));
        Assert.Null(module.DeviceId);
    }
}
