using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Gateway.Storage;

public enum StorageProvider
{
    /// <summary>An SQLite file under <see cref="StorageOptions.DataPath"/>: nothing to install.</summary>
    Sqlite,

    /// <summary>PostgreSQL at <c>ConnectionStrings:Postgres</c>.</summary>
    Postgres,
}

/// <summary>Where the identified store lives (configuration section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Folder for the embedded database, development keys and (later) local blobs. Default <c>./data</c>.</summary>
    [Required]
    public string DataPath { get; set; } = "./data";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The embedded database file inside the data folder.</summary>
    public string SqlitePath => Path.Combine(Path.GetFullPath(DataPath), "healthdataspace.db");
}
