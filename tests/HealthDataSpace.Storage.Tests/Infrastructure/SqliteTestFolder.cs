using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Storage.Tests.Infrastructure;

/// <summary>
/// A test's own temporary folder for SQLite files. Deleting it first clears the connection pools: pooled
/// connections keep the files open.
/// </summary>
internal sealed class SqliteTestFolder(string prefix)
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    /// <summary>A file in the folder (the folder is created on first use).</summary>
    public string File(string name) => System.IO.Path.Combine(Directory.CreateDirectory(Path).FullName, name);

    public void Delete()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
