using System.Security.Cryptography;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Telemetry.Devices;

/// <summary>
/// Development only: the device key-encryption key kept in <c>{dataPath}/dev-devices/key-encryption-key</c> (mode 600),
/// created on first use, so a developer needs no configuration. Production configures <c>Devices:KeyEncryptionKey</c>.
/// </summary>
internal static class DevelopmentKeyEncryptionKey
{
    public const string FolderName = "dev-devices";
    public const string FileName = "key-encryption-key";

    public static string PathFor(string dataPath) => Path.Combine(dataPath, FolderName, FileName);

    public static byte[] LoadOrCreate(string dataPath)
    {
        var path = PathFor(dataPath);
        PrivateFile.CreateOnce(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(DeviceKeyProtector.KeyEncryptionKeyBytes)));
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return key.Length == DeviceKeyProtector.KeyEncryptionKeyBytes
            ? key
            : throw new InvalidDataException($"The development key-encryption key file '{path}' does not hold 32 bytes.");
    }
}
