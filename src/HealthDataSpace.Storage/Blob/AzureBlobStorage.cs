using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Storage.Blob;

/// <summary>
/// Blobs in Azure Blob Storage (Azurite in tests) through Azure.Storage.Blobs: writes are staged as blocks while they
/// stream and committed in one call, so memory stays at one block and a failed export leaves no blob; withdrawal lines
/// go to append blobs.
/// </summary>
internal sealed class AzureBlobStorage(BlobServiceClient service) : IBlobStorage
{
    private readonly ConcurrentDictionary<string, Task<BlobContainerClient>> containers = new(StringComparer.Ordinal);

    public async Task<IBlobWriter> OpenWriteAsync(string container, string path, CancellationToken cancellationToken)
    {
        var client = (await ContainerAsync(container, cancellationToken)).GetBlockBlobClient(BlobNames.CheckPath(path));
        return new Writer(client);
    }

    public async Task AppendLineAsync(string container, string path, string line, CancellationToken cancellationToken)
    {
        var client = (await ContainerAsync(container, cancellationToken)).GetAppendBlobClient(BlobNames.CheckPath(path));
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
        await client.AppendBlockAsync(content, cancellationToken: cancellationToken);
    }

    public async Task<Stream?> OpenReadAsync(string container, string path, CancellationToken cancellationToken)
    {
        var client = (await ContainerAsync(container, cancellationToken)).GetBlobClient(BlobNames.CheckPath(path));
        try
        {
            return await client.OpenReadAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        var client = await ContainerAsync(container, cancellationToken);
        var paths = new List<string>();
        await foreach (var blob in client.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            paths.Add(blob.Name);
        }

        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    public async Task<int> DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        var client = await ContainerAsync(container, cancellationToken);
        var deleted = 0;
        foreach (var path in await ListAsync(container, prefix, cancellationToken))
        {
            if ((await client.DeleteBlobIfExistsAsync(path, cancellationToken: cancellationToken)).Value)
            {
                deleted++;
            }
        }

        return deleted;
    }

    public string Locate(string container, string path) =>
        service.GetBlobContainerClient(BlobNames.CheckContainer(container)).GetBlobClient(BlobNames.CheckPath(path)).Uri.ToString();

    private async Task<BlobContainerClient> ContainerAsync(string container, CancellationToken cancellationToken)
    {
        var name = BlobNames.CheckContainer(container);
        // Created once per process; the shared task never carries one caller's cancellation, and a failure is not cached.
        var creating = containers.GetOrAdd(name, key => CreateAsync(service.GetBlobContainerClient(key)));
        try
        {
            return await creating.WaitAsync(cancellationToken);
        }
        catch (Exception) when (creating.IsFaulted || creating.IsCanceled)
        {
            containers.TryRemove(new KeyValuePair<string, Task<BlobContainerClient>>(name, creating));
            throw;
        }
    }

    private static async Task<BlobContainerClient> CreateAsync(BlobContainerClient client)
    {
        await client.CreateIfNotExistsAsync();
        return client;
    }

    /// <summary>
    /// Stages every 4 MiB as a block as soon as it is full (one block in memory at a time) and commits the block list
    /// only in <see cref="CommitAsync"/>: a writer disposed without committing leaves no blob, only uncommitted blocks
    /// the service discards after a week.
    /// </summary>
    private sealed class Writer(BlockBlobClient client) : Stream, IBlobWriter
    {
        private const int BlockSize = 4 << 20;
        private readonly List<string> blocks = [];
        private MemoryStream buffer = new();

        public Stream Stream => this;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await StageAsync(cancellationToken);
            await client.CommitBlockListAsync(blocks, cancellationToken: cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            buffer.Write(data);
            if (buffer.Length >= BlockSize)
            {
                client.StageBlock(NextId(), Rewound());
                buffer = new MemoryStream();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            buffer.Write(data.Span);
            if (buffer.Length >= BlockSize)
            {
                await StageAsync(cancellationToken);
            }
        }

        public override void Flush()
        {
            // Blocks are staged when full and committed by CommitAsync; there is nothing to flush in between.
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override ValueTask DisposeAsync()
        {
            buffer.Dispose();
            return base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                buffer.Dispose();
            }

            base.Dispose(disposing);
        }

        private async Task StageAsync(CancellationToken cancellationToken)
        {
            if (buffer.Length == 0)
            {
                return;
            }

            await client.StageBlockAsync(NextId(), Rewound(), cancellationToken: cancellationToken);
            await buffer.DisposeAsync();
            buffer = new MemoryStream();
        }

        private MemoryStream Rewound()
        {
            buffer.Position = 0;
            return buffer;
        }

        // Block ids must all have the same length within a blob.
        private string NextId()
        {
            var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(blocks.Count.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)));
            blocks.Add(id);
            return id;
        }
    }
}
