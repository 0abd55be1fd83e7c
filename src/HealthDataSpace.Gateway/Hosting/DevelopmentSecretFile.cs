namespace HealthDataSpace.Gateway.Hosting;

/// <summary>
/// Secrets the gateway generates for itself in Development only (the development issuer's signing key, the audit chain
/// key, the pseudonymisation master key, the device key-encryption key), kept in the data folder with owner-only
/// permissions. Production configures them from a secret store.
/// </summary>
internal static class DevelopmentSecretFile
{
    /// <summary>A random key in <c>{dataPath}/secrets/{name}.key</c> (base64), created on first use.</summary>
    public static byte[] LoadOrCreateKey(string dataPath, string name, int length = 32)
    {
        var path = Path.Combine(dataPath, "secrets", name + ".key");
        CreateIfMissing(path, () => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(length)));
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    /// <summary>
    /// Creates <paramref name="path"/> (mode 600, in a folder with a <c>.gitignore</c> of <c>*</c>: the data folder may
    /// sit inside a git working tree, and a secret must never be committed by accident) unless it exists. The content
    /// goes to a private temp file that is moved into place, so when the gateway and the CLI race to create a secret
    /// the loser keeps the winner's file instead of overwriting it.
    /// </summary>
    public static void CreateIfMissing(string path, Func<string> content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (File.Exists(path))
        {
            return;
        }

        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var gitIgnore = Path.Combine(folder, ".gitignore");
        if (!File.Exists(gitIgnore))
        {
            File.WriteAllText(gitIgnore, "*\n");
        }

        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temp, System.Text.Encoding.UTF8, fileOptions))
        {
            writer.Write(content());
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
