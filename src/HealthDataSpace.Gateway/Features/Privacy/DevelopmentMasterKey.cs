using HealthDataSpace.Core.Privacy;

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
        if (!File.Exists(path))
        {
            TryCreate(path);
        }

        return File.ReadAllText(path).Trim();
    }

    private static void TryCreate(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var gitIgnore = Path.Combine(folder, ".gitignore");
        if (!File.Exists(gitIgnore))
        {
            File.WriteAllText(gitIgnore, "*\n");
        }

        // A private temp file moved into place: the gateway and a CLI may race, and the loser keeps the winner's key.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temp, System.Text.Encoding.UTF8, options))
        {
            writer.Write(PseudonymDomain.GenerateMasterKey());
        }

        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }
    }
}
