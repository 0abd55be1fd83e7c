using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Core.Tests.Research.Datasets;

/// <summary>A released Patient is as coarse as the k-anonymity classes were: band start year with the band, cut postal codes.</summary>
public sealed class PatientGeneralizerTests
{
    private static KAnonymityReport Report(int band, int digits, params string[] quasiIdentifiers) =>
        new(5, 1, 5, 0, quasiIdentifiers, band, digits, new HashSet<string>());

    private static JsonElement Apply(string json, KAnonymityReport report) =>
        JsonDocument.Parse(PatientGeneralizer.Apply(Encoding.UTF8.GetBytes(json), report)).RootElement;

    [Fact]
    public void Apply_BandAndRegion_BirthYearToBandStart_ExtensionGivesBand_PostalCodesCut()
    {
        var patient = Apply("""{"resourceType":"Patient","id":"x","birthDate":"1977","address":[{"postalCode":"021"},{"postalCode":"02"},{"country":"US"}]}""",
            Report(20, 2, QuasiIdentifiers.BirthYearBand, QuasiIdentifiers.Gender, QuasiIdentifiers.PostalRegion));

        Assert.Equal("1960", patient.GetProperty("birthDate").GetString());
        var band = patient.GetProperty("extension")[0];
        Assert.Equal(PatientGeneralizer.BirthYearBandExtension, band.GetProperty("url").GetString());
        Assert.Equal(1960, band.GetProperty("valueRange").GetProperty("low").GetProperty("value").GetInt32());
        Assert.Equal(1979, band.GetProperty("valueRange").GetProperty("high").GetProperty("value").GetInt32());
        Assert.Equal(["02", "02"], patient.GetProperty("address").EnumerateArray().Take(2).Select(a => a.GetProperty("postalCode").GetString()));
    }

    [Fact]
    public void Apply_QuasiIdentifiersNotUsed_LeftAsTheyAre()
    {
        var patient = Apply("""{"resourceType":"Patient","id":"x","birthDate":"1977","address":[{"postalCode":"021"}]}""",
            Report(20, 1, QuasiIdentifiers.Gender));

        Assert.Equal("1977", patient.GetProperty("birthDate").GetString());
        Assert.False(patient.TryGetProperty("extension", out _));
        Assert.Equal("021", patient.GetProperty("address")[0].GetProperty("postalCode").GetString());
    }
}
