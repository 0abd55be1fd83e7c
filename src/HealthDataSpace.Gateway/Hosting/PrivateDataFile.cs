namespace HealthDataSpace.Gateway.Hosting;

/// <summary>
/// Creates a secret file in the data folder once: mode 600, in a folder with a <c>.gitignore</c> of <c>*</c> (the data
/// folder may sit inside a git working tree, and a key must never be committed by accident). The content goes to a
/// private temp file that is moved into place, so when the gateway and the CLI race to create it, the loser keeps the
/// winner's file instead of overwriting it.
/// </summary>
internal static class PrivateDataFile
{
    public static void CreateIfMissing(string path, Func<string> content)
    {
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
