namespace HealthDataSpace.Tests.Common;

/// <summary>Locates the repository root and the shared, read-only test data beside it.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared/data</c> next to the checkout (see shared/data/README.md).</summary>
    public static string SharedData
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(path)
                ? path
                : throw new DirectoryNotFoundException($"The shared test data folder is missing: expected {path}.");
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HealthDataSpace.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("HealthDataSpace.sln not found above the test binaries.");
    }
}
