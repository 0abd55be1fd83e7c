using System.Security.Cryptography;
using HealthDataSpace.Core.Telemetry.Devices;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>Device keys at rest: AES-GCM under the key-encryption key, bound to the device id.</summary>
public sealed class DeviceKeyProtectorTests
{
    private static readonly byte[] Kek = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void SealThenOpen_SameDevice_SameKeys()
    {
        var keys = DeviceKeys.Generate();
        var protector = new DeviceKeyProtector(Kek);

        var opened = protector.Open("dev-1", protector.Seal("dev-1", keys));

        Assert.Equal(keys.Primary, opened.Primary);
        Assert.Equal(keys.Secondary, opened.Secondary);
    }

    [Fact]
    public void Seal_Twice_DifferentCiphertextWithoutTheKeysInClear()
    {
        var keys = DeviceKeys.Generate();
        var protector = new DeviceKeyProtector(Kek);

        var first = protector.Seal("dev-1", keys);
        var second = protector.Seal("dev-1", keys);

        Assert.NotEqual(first, second);
        Assert.True(first.AsSpan().IndexOf(keys.Primary) < 0);
        Assert.True(first.AsSpan().IndexOf(keys.Secondary) < 0);
    }

    [Fact]
    public void Open_OtherDeviceOtherKekOrTampered_Throws()
    {
        var protector = new DeviceKeyProtector(Kek);
        var sealedKeys = protector.Seal("dev-1", DeviceKeys.Generate());
        var tampered = (byte[])sealedKeys.Clone();
        tampered[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => protector.Open("dev-2", sealedKeys));
        Assert.ThrowsAny<CryptographicException>(() => new DeviceKeyProtector(RandomNumberGenerator.GetBytes(32)).Open("dev-1", sealedKeys));
        Assert.ThrowsAny<CryptographicException>(() => protector.Open("dev-1", tampered));
        Assert.ThrowsAny<CryptographicException>(() => protector.Open("dev-1", sealedKeys[..10]));
        Assert.Throws<ArgumentException>(() => new DeviceKeyProtector(new byte[16]));
    }
}
