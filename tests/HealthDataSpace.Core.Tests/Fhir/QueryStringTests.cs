using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Core.Tests.Fhir;

public sealed class QueryStringTests
{
    [Fact]
    public void Parse_PlusSign_StaysAPlus()
    {
        var pairs = QueryString.Parse("telecom=tel|+4930123");

        Assert.Equal("tel|+4930123", Assert.Single(pairs).Value);
    }

    [Theory]
    [InlineData("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1")]
    [InlineData("?identifier=http://hl7.org/fhir/sid/us-npi|1")]
    [InlineData("identifier=http://hl7.org/fhir/sid/us-npi%7C1")]
    public void Parse_TypePrefixOrEscapes_SameCriteria(string criteria)
    {
        var pair = Assert.Single(QueryString.Parse(criteria));

        Assert.Equal("identifier", pair.Key);
        Assert.Equal("http://hl7.org/fhir/sid/us-npi|1", pair.Value);
    }

    [Fact]
    public void Parse_RepeatedNames_KeptInOrder()
    {
        var pairs = QueryString.Parse("date=ge2020&date=le2021");

        Assert.Equal(["ge2020", "le2021"], pairs.Select(p => p.Value));
    }
}
