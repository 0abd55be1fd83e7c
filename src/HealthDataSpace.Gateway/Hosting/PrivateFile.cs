namespace HealthDataSpace.Gateway.Hosting;

/// <summary>Development secrets kept in the data folder: created once, readable by the owner only, never committed.</summary>
internal static class PrivateFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> unless the file exists. Written to a private temp
    /// file and moved into place: the gateway and the CLI may race to create it, and whoever loses keeps the winner's
    /// content instead of overwriting it.
    /// </summary>
    public static void CreateOnce(string path, string content)
    {
        if (File.Exists(path))
        {
            return;
        }

        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        // The data folder may sit inside a git working tree (src/HealthDataSpace.Gateway/data); never let a secret be
        // committed by accident.
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
            writer.Write(content);
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
