using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Store;
using Npgsql;

namespace HealthDataSpace.Storage.Telemetry;

/// <summary>The telemetry store and the device registry, which share one database.</summary>
internal sealed record TelemetryStorage(ITelemetryStore Store, IDeviceRegistry Registry);

/// <summary>Builds the telemetry storage: its own SQLite file (embedded default) or the PostgreSQL database.</summary>
internal static class TelemetryStoreFactory
{
    /// <param name="fullSync">fsync each commit (survives power loss), or only survive a process crash.</param>
    public static TelemetryStorage CreateSqlite(string databasePath, bool fullSync)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var store = new SqliteTelemetryStore(databasePath, fullSync);
        return new TelemetryStorage(store, new SqlDeviceRegistry(store));
    }

    /// <summary>Over PostgreSQL; <paramref name="dataSource"/> is owned by the caller (DI).</summary>
    public static TelemetryStorage CreatePostgres(NpgsqlDataSource dataSource)
    {
        var store = new PostgresTelemetryStore(dataSource);
        return new TelemetryStorage(store, new SqlDeviceRegistry(store));
    }
}
