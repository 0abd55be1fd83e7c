using System.Text;
using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Tests.Fhir;

public sealed class FhirJsonTests
{
    private static FhirException ParseFails(string json) =>
        Assert.Throws<FhirException>(() => FhirJson.ParseResource(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ParseResource_ValueThatIsNotADate_ErrorNamesPathButNotTheValue()
    {
        var error = ParseFails("""{"resourceType":"Patient","birthDate":"Maria Ivanova"}""");
        var everything = error.Message + string.Join("\n", error.Details);

        Assert.Equal(400, error.Status);
        Assert.Contains("Patient.birthDate", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Maria", everything, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"hello":"world"}""")]
    [InlineData("""{"resourceType":"NoSuchType"}""")]
    [InlineData("""{"resourceType":"Observation","status":"final"}""")]
    [InlineData("""{"resourceType":"Patient","gender":"sometimes"}""")]
    [InlineData("""{"resourceType":"Patient","unknownElement":1}""")]
    [InlineData("")]
    public void ParseResource_InvalidInput_Throws400(string json)
    {
        Assert.Equal(400, ParseFails(json).Status);
    }

    [Fact]
    public void ParseResource_WrongTypeForUrl_Throws400()
    {
        var error = Assert.Throws<FhirException>(() =>
            FhirJson.ParseResource(Encoding.UTF8.GetBytes("""{"resourceType":"Patient","gender":"male"}"""), "Observation"));

        Assert.Equal(400, error.Status);
        Assert.Contains("Observation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseResource_ValidPatient_RoundTrips()
    {
        var patient = (Patient)FhirJson.ParseResource(Encoding.UTF8.GetBytes("""{"resourceType":"Patient","gender":"female","birthDate":"1970"}"""));

        Assert.Equal(AdministrativeGender.Female, patient.Gender);
        Assert.Contains("\"birthDate\":\"1970\"", FhirJson.Serialize(patient), StringComparison.Ordinal);
    }
}
