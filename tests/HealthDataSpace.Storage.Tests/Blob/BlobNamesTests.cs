using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Storage.Tests.Blob;

public sealed class BlobNamesTests
{
    [Theory]
    [InlineData("Organization/uni-cyprus", "recipient-uni-cyprus-")]
    [InlineData("Organization/Uni_Of.Athens", "recipient-uni-of-athens-")]
    [InlineData("Organization/---", "recipient-")]
    public void ContainerFor_MakesAValidDistinctName(string recipient, string prefix)
    {
        var name = BlobNames.ContainerFor(recipient);

        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.Equal(name, BlobNames.CheckContainer(name));
        Assert.NotEqual(name, BlobNames.ContainerFor(recipient + "x"));
    }
}
