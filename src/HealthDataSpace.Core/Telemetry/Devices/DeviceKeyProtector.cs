using System.Security.Cryptography;
using System.Text;

namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>
/// Encrypts device keys at rest with AES-256-GCM under the key-encryption key (<c>Devices:KeyEncryptionKey</c>). The
/// device id is authenticated data, so a sealed key pair copied onto another device's row does not open.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext (64).
/// </summary>
internal sealed class DeviceKeyProtector
{
    public const int KeyEncryptionKeyBytes = 32;
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int PlainBytes = DeviceKeys.KeyBytes * 2;
    private const int SealedBytes = 1 + NonceBytes + TagBytes + PlainBytes;

    private readonly byte[] _kek;

    public DeviceKeyProtector(byte[] keyEncryptionKey)
    {
        ArgumentNullException.ThrowIfNull(keyEncryptionKey);
        if (keyEncryptionKey.Length != KeyEncryptionKeyBytes)
        {
            throw new ArgumentException($"The key-encryption key must be {KeyEncryptionKeyBytes} bytes.", nameof(keyEncryptionKey));
        }

        _kek = (byte[])keyEncryptionKey.Clone();
    }

    public byte[] Seal(string deviceId, DeviceKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var sealedKeys = new byte[SealedBytes];
        sealedKeys[0] = Version;
        var nonce = sealedKeys.AsSpan(1, NonceBytes);
        var tag = sealedKeys.AsSpan(1 + NonceBytes, TagBytes);
        var cipher = sealedKeys.AsSpan(1 + NonceBytes + TagBytes, PlainBytes);
        RandomNumberGenerator.Fill(nonce);

        Span<byte> plain = stackalloc byte[PlainBytes];
        try
        {
            keys.Primary.CopyTo(plain);
            keys.Secondary.CopyTo(plain[DeviceKeys.KeyBytes..]);
            using var gcm = new AesGcm(_kek, TagBytes);
            gcm.Encrypt(nonce, plain, cipher, tag, AssociatedData(deviceId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }

        return sealedKeys;
    }

    /// <exception cref="CryptographicException">The keys were sealed under another key-encryption key or for another device.</exception>
    public DeviceKeys Open(string deviceId, byte[] sealedKeys)
    {
        ArgumentNullException.ThrowIfNull(sealedKeys);
        if (sealedKeys.Length != SealedBytes || sealedKeys[0] != Version)
        {
            throw new CryptographicException("The stored device keys are not in a known format.");
        }

        var plain = new byte[PlainBytes];
        using (var gcm = new AesGcm(_kek, TagBytes))
        {
            gcm.Decrypt(
                sealedKeys.AsSpan(1, NonceBytes),
                sealedKeys.AsSpan(1 + NonceBytes + TagBytes, PlainBytes),
                sealedKeys.AsSpan(1 + NonceBytes, TagBytes),
                plain,
                AssociatedData(deviceId));
        }

        var keys = new DeviceKeys(plain[..DeviceKeys.KeyBytes], plain[DeviceKeys.KeyBytes..]);
        CryptographicOperations.ZeroMemory(plain);
        return keys;
    }

    private static byte[] AssociatedData(string deviceId) => Encoding.UTF8.GetBytes("hds-device-keys/v1/" + deviceId);
}
