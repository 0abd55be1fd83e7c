using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Gateway.Hosting;

namespace HealthDataSpace.Gateway.Features.Privacy;

/// <summary>
/// The pseudonymisation master key a Development gateway uses when <c>Privacy:MasterKey</c> is not configured: 32
/// random bytes, base64, in <c>{dataPath}/privacy/master-key</c> (mode 600, git-ignored). Stable across restarts, so
/// pseudonyms stay the same while the data folder lives. Never used outside Development.
/// </summary>
internal static class DevelopmentMasterKey
{
    public const string FolderName = "privacy";
    public const string FileName = "master-key";

    public static string PathFor(string dataPath) => Path.Combine(dataPath, FolderName, FileName);

    public static string LoadOrCreate(string dataPath)
    {
        var path = PathFor(dataPath);
        DevelopmentSecretFile.CreateIfMissing(path, PseudonymDomain.GenerateMasterKey);
        return File.ReadAllText(path).Trim();
    }
}
