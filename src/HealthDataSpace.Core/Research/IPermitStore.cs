namespace HealthDataSpace.Core.Research;

/// <summary>Where data permits are kept (SQLite or PostgreSQL beside the identified store).</summary>
public interface IPermitStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task CreateAsync(DataPermit permit, CancellationToken cancellationToken);

    Task<DataPermit?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every permit, newest first.</summary>
    Task<IReadOnlyList<DataPermit>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks a permit revoked; false when it does not exist or was revoked already.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
