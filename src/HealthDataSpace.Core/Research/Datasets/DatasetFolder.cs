namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>One written file of a dataset: its path in the dataset folder, SHA-256, size and where a partner finds it.</summary>
public sealed record DatasetFile(string Path, string Sha256, long Bytes, string Url);

/// <summary>
/// The files of one dataset under <c>datasets/{id}/</c> in the recipient's container, each streamed through a
/// <see cref="HashingStream"/> and committed when complete. Disposing leaves no uncommitted blob behind;
/// <see cref="DeleteAllAsync"/> removes a cancelled or failed export's committed files too.
/// </summary>
internal sealed class DatasetFolder(IBlobStorage blobs, string container, string folder) : IAsyncDisposable
{
    private readonly Dictionary<string, (IBlobWriter Writer, HashingStream Stream)> _open = new(StringComparer.Ordinal);
    private readonly List<DatasetFile> _committed = [];

    public string Container => container;

    public string Folder => folder;

    public IReadOnlyList<DatasetFile> Committed => _committed;

    public string Locate(string path) => blobs.Locate(container, $"{folder}/{path}");

    public async Task<Stream> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var writer = await blobs.OpenWriteAsync(container, $"{folder}/{path}", cancellationToken);
        var stream = new HashingStream(writer.Stream);
        _open[path] = (writer, stream);
        return stream;
    }

    public async Task<DatasetFile> CommitAsync(string path, CancellationToken cancellationToken)
    {
        var (writer, stream) = _open[path];
        await stream.FlushAsync(cancellationToken);
        await writer.CommitAsync(cancellationToken);
        await writer.DisposeAsync();
        _open.Remove(path);
        var file = new DatasetFile(path, stream.Sha256(), stream.BytesWritten, Locate(path));
        await stream.DisposeAsync();
        _committed.Add(file);
        return file;
    }

    public async Task<DatasetFile> WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(path, cancellationToken);
        await stream.WriteAsync(content, cancellationToken);
        return await CommitAsync(path, cancellationToken);
    }

    public Task<int> DeleteAllAsync(CancellationToken cancellationToken) => blobs.DeletePrefixAsync(container, folder + "/", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var (writer, stream) in _open.Values)
        {
            await writer.DisposeAsync();
            await stream.DisposeAsync();
        }

        _open.Clear();
    }
}
