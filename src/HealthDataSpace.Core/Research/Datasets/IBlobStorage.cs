namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// Where datasets go for a recipient: one container per recipient, blobs addressed by path. A folder under the data
/// path by default, Azure Blob Storage in production. Writes stream (an export never sits in memory whole), and a blob
/// appears only once its writer is disposed after <see cref="IBlobWriter.CommitAsync"/>.
/// </summary>
public interface IBlobStorage
{
    /// <summary>Starts writing a blob (replacing any with the same path) in a container created on demand.</summary>
    Task<IBlobWriter> OpenWriteAsync(string container, string path, CancellationToken cancellationToken);

    /// <summary>Appends one line (a newline is added) to a text blob, creating it when missing: withdrawal notices.</summary>
    Task AppendLineAsync(string container, string path, string line, CancellationToken cancellationToken);

    /// <summary>Opens a blob for reading, or null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string container, string path, CancellationToken cancellationToken);

    /// <summary>The paths of the blobs under a prefix, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string container, string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the blobs under a prefix (a cancelled or failed export's files); returns how many.</summary>
    Task<int> DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken);

    /// <summary>Where a partner finds the blob: a file path or the blob URL (without credentials).</summary>
    string Locate(string container, string path);
}

/// <summary>A blob being written. Disposing without <see cref="CommitAsync"/> leaves no blob behind.</summary>
public interface IBlobWriter : IAsyncDisposable
{
    Stream Stream { get; }

    Task CommitAsync(CancellationToken cancellationToken);
}
