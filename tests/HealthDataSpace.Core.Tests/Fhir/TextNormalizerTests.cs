using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Tests.Fhir;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("Müller", "muller")]
    [InlineData("  Chloé ", "chloe")]
    [InlineData("Παπαδοπούλου", "παπαδοπουλου")]
    [InlineData("Ștefănescu", "stefanescu")]
    [InlineData("ИВАНОВА", "иванова")]
    [InlineData("plain", "plain")]
    public void Normalize_FoldsCaseAndAccents(string input, string expected)
    {
        Assert.Equal(expected, TextNormalizer.Normalize(input));
    }

    [Fact]
    public void Normalize_VeryLongText_CutToIndexLimit()
    {
        var normalized = TextNormalizer.Normalize(new string('a', 5000));

        Assert.Equal(TextNormalizer.MaxIndexedLength, normalized.Length);
    }
}
