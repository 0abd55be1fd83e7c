using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Storage.Blob;

/// <summary>
/// Blobs as files under a root folder (<c>{Storage:DataPath}/blobs/{container}/{path}</c>): the embedded default. A
/// blob is written to a temporary file beside it and renamed into place on commit, so a reader never sees half a file.
/// </summary>
internal sealed class FileSystemBlobStorage(string root) : IBlobStorage
{
    private static readonly SemaphoreSlim AppendGate = new(1, 1);

    public Task<IBlobWriter> OpenWriteAsync(string container, string path, CancellationToken cancellationToken)
    {
        var target = PathOf(container, path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = $"{target}.{Guid.NewGuid():N}.partial";
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        return Task.FromResult<IBlobWriter>(new Writer(stream, temp, target));
    }

    public async Task AppendLineAsync(string container, string path, string line, CancellationToken cancellationToken)
    {
        var target = PathOf(container, path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await AppendGate.WaitAsync(cancellationToken);
        try
        {
            await File.AppendAllTextAsync(target, line + "\n", cancellationToken);
        }
        finally
        {
            AppendGate.Release();
        }
    }

    public Task<Stream?> OpenReadAsync(string container, string path, CancellationToken cancellationToken)
    {
        var target = PathOf(container, path);
        return Task.FromResult<Stream?>(File.Exists(target) ? File.OpenRead(target) : null);
    }

    public Task<IReadOnlyList<string>> ListAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(root, BlobNames.CheckContainer(container));
        IReadOnlyList<string> paths = !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".partial", StringComparison.Ordinal))
                .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(paths);
    }

    public async Task<int> DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var path in await ListAsync(container, prefix, cancellationToken))
        {
            File.Delete(PathOf(container, path));
            deleted++;
        }

        return deleted;
    }

    public string Locate(string container, string path) => PathOf(container, path);

    private string PathOf(string container, string path) =>
        Path.Combine(root, BlobNames.CheckContainer(container), BlobNames.CheckPath(path).Replace('/', Path.DirectorySeparatorChar));

    private sealed class Writer(FileStream stream, string temp, string target) : IBlobWriter
    {
        private bool committed;

        public Stream Stream => stream;

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await stream.FlushAsync(cancellationToken);
            await stream.DisposeAsync();
            File.Move(temp, target, overwrite: true);
            committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            if (!committed && File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
