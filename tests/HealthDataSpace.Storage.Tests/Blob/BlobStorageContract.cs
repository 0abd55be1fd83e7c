using System.Security.Cryptography;
using System.Text;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Storage.Blob;
using HealthDataSpace.Storage.Tests.Infrastructure;

namespace HealthDataSpace.Storage.Tests.Blob;

/// <summary>Dataset blob storage on each backend: streamed writes that appear only when committed, appends, listing.</summary>
public abstract class BlobStorageContract
{
    protected abstract IBlobStorage Storage { get; }

    private static readonly string Container = "recipient-test-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<byte[]?> ReadAsync(string path)
    {
        await using var stream = await Storage.OpenReadAsync(Container, path, CancellationToken.None);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Write_LargerThanOneBlock_CommittedBlobReadsBackByteForByte()
    {
        var content = RandomNumberGenerator.GetBytes((9 << 20) + 123);
        await using (var writer = await Storage.OpenWriteAsync(Container, "ds1/Observation.ndjson", CancellationToken.None))
        {
            for (var offset = 0; offset < content.Length; offset += 100_000)
            {
                await writer.Stream.WriteAsync(content.AsMemory(offset, Math.Min(100_000, content.Length - offset)));
            }

            await writer.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(SHA256.HashData(content), SHA256.HashData((await ReadAsync("ds1/Observation.ndjson"))!));
    }

    [Fact]
    public async Task Write_NotCommitted_LeavesNoBlob()
    {
        await using (var writer = await Storage.OpenWriteAsync(Container, "ds2/partial.ndjson", CancellationToken.None))
        {
            await writer.Stream.WriteAsync(RandomNumberGenerator.GetBytes(5 << 20));
        }

        Assert.Null(await ReadAsync("ds2/partial.ndjson"));
        Assert.Empty(await Storage.ListAsync(Container, "ds2/", CancellationToken.None));
    }

    [Fact]
    public async Task AppendLine_AccumulatesLinesInOrder_ListFindsByPrefix()
    {
        await Storage.AppendLineAsync(Container, "ds3/withdrawals.ndjson", """{"patient":"a"}""", CancellationToken.None);
        await Storage.AppendLineAsync(Container, "ds3/withdrawals.ndjson", """{"patient":"b"}""", CancellationToken.None);
        await using (var writer = await Storage.OpenWriteAsync(Container, "ds3/manifest.json", CancellationToken.None))
        {
            await writer.Stream.WriteAsync("{}"u8.ToArray());
            await writer.CommitAsync(CancellationToken.None);
        }

        var text = Encoding.UTF8.GetString((await ReadAsync("ds3/withdrawals.ndjson"))!);
        var listed = await Storage.ListAsync(Container, "ds3/", CancellationToken.None);

        Assert.Equal("{\"patient\":\"a\"}\n{\"patient\":\"b\"}\n", text);
        Assert.Equal(["ds3/manifest.json", "ds3/withdrawals.ndjson"], listed);
        Assert.Null(await ReadAsync("ds3/missing.json"));
    }

    [Fact]
    public async Task DeletePrefix_RemovesOnlyThatFolder()
    {
        foreach (var path in new[] { "ds4/a.ndjson", "ds4/tables/b.parquet", "ds40/c.ndjson" })
        {
            await using var writer = await Storage.OpenWriteAsync(Container, path, CancellationToken.None);
            await writer.Stream.WriteAsync("x"u8.ToArray());
            await writer.CommitAsync(CancellationToken.None);
        }

        var deleted = await Storage.DeletePrefixAsync(Container, "ds4/", CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Empty(await Storage.ListAsync(Container, "ds4/", CancellationToken.None));
        Assert.Equal(["ds40/c.ndjson"], await Storage.ListAsync(Container, "ds40/", CancellationToken.None));
    }

    [Theory]
    [InlineData("../escape.json")]
    [InlineData("/absolute.json")]
    [InlineData("a//b.json")]
    [InlineData("spaces are bad.json")]
    public async Task Write_BadPath_Refused(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.OpenWriteAsync(Container, path, CancellationToken.None));
    }
}

public sealed class FileSystemBlobStorageTests : BlobStorageContract, IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "hds-blobs-" + Guid.NewGuid().ToString("N"));

    public FileSystemBlobStorageTests() => Storage = BlobStorageFactory.CreateFileSystem(root);

    protected override IBlobStorage Storage { get; }

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStorageTests(AzuriteServer azurite) : BlobStorageContract
{
    protected override IBlobStorage Storage { get; } = BlobStorageFactory.CreateAzure(azurite.ConnectionString);
}
