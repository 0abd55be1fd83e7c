namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Finds the shared Synthea bundles (<c>../shared/data/synthea</c> beside the checkout) and orders them the way they must
/// be loaded: the hospital's organisation and practitioner batch bundles first, since patient bundles refer to them by
/// conditional reference (shared/data/README.md).
/// </summary>
internal static class SyntheaFiles
{
    /// <summary>Where the shared data sits relative to any folder above the checkout or the hds executable.</summary>
    private static readonly string[] SharedSynthea = ["shared", "data", "synthea"];

    /// <summary>
    /// The first <c>{ancestor}/shared/data/synthea</c> above <paramref name="startFolders"/> (the current directory, then
    /// the executable's folder), so <c>../shared/data/synthea</c> next to the repository is found from anywhere inside it.
    /// </summary>
    public static string? Locate(params string[] startFolders)
    {
        foreach (var start in startFolders)
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine([folder.FullName, .. SharedSynthea]);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Every <c>*.json</c> under <paramref name="folder"/>: bundles named <c>*Information*</c> (Synthea's
    /// hospitalInformation and practitionerInformation) first, then the patient bundles, each group in ordinal order of
    /// their path relative to <paramref name="folder"/>.
    /// </summary>
    public static IReadOnlyList<string> Bundles(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToList();
        return [.. files.Where(IsInformation), .. files.Where(f => !IsInformation(f))];
    }

    public static bool IsInformation(string file) => Path.GetFileName(file).Contains("Information", StringComparison.Ordinal);

    /// <summary>The Fitabase 5-second heart-rate sample kept beside the Synthea data (<c>../wearables/…</c>), if there.</summary>
    public static string? HeartRateSample(string syntheaFolder)
    {
        var path = Path.Combine(syntheaFolder, "..", "wearables", "fitbit-fitabase-kaggle", "heartrate_seconds_merged.SAMPLE.csv");
        return File.Exists(path) ? Path.GetFullPath(path) : null;
    }
}
