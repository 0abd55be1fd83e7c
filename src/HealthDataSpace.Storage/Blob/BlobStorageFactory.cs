using Azure.Storage.Blobs;
using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Storage.Blob;

/// <summary>Builds the configured blob storage: a folder (embedded default) or Azure Blob Storage.</summary>
public static class BlobStorageFactory
{
    public static IBlobStorage CreateFileSystem(string root) => new FileSystemBlobStorage(Path.GetFullPath(root));

    /// <summary>From a connection string (Azurite, or an account key), or a service URL with a token credential.</summary>
    public static IBlobStorage CreateAzure(BlobServiceClient service) => new AzureBlobStorage(service);

    public static IBlobStorage CreateAzure(string connectionString) => new AzureBlobStorage(new BlobServiceClient(connectionString));
}
