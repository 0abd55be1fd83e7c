namespace HealthDataSpace.Gateway.Features.Research;

public enum BlobProvider
{
    /// <summary>A folder: <c>{Storage:DataPath}/blobs/{container}/…</c>. The embedded default.</summary>
    FileSystem,

    /// <summary>Azure Blob Storage (or Azurite) at <c>ConnectionStrings:Blob</c>.</summary>
    AzureBlob,
}

/// <summary>Section <c>Blob</c>: where research datasets, manifests and withdrawal notices go.</summary>
internal sealed class BlobOptions
{
    public const string SectionName = "Blob";

    public BlobProvider Provider { get; init; } = BlobProvider.FileSystem;
}
