using HealthDataSpace.Core.Consent;

namespace HealthDataSpace.Core.Tests.Consent;

public sealed class ConsentValidatorTests
{
    private static IReadOnlyList<string> Validate(string json) => ConsentValidator.Validate(ConsentFixtures.Parse(json));

    [Fact]
    public void Validate_ComposedResearchConsent_HasNoProblems()
    {
        Assert.Empty(Validate(ConsentFixtures.Research("Patient/p1")));
    }

    [Fact]
    public void Validate_NoStatusScopePatientOrPolicy_NamesEachElement()
    {
        // The strict parser already refuses a missing status, so the model is built directly.
        var problems = ConsentValidator.Validate(new Hl7.Fhir.Model.Consent { Scope = new Hl7.Fhir.Model.CodeableConcept { Text = "research" } });

        Assert.Contains(problems, p => p.StartsWith("Consent.status", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Consent.scope", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Consent.patient", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("ppc-1", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PatientIsNotAPatientReference_ProblemDoesNotQuoteIt()
    {
        var json = ConsentFixtures.Research("Practitioner/secret-name-42");

        var problems = Validate(json);

        var problem = Assert.Single(problems);
        Assert.StartsWith("Consent.patient", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-name-42", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PeriodEndsBeforeItStarts_NamesThePathNotTheDates()
    {
        var json = ConsentFixtures.Research("Patient/p1", periodEnd: "2024-06-30");

        var problem = Assert.Single(Validate(json));

        Assert.StartsWith("Consent.provision.period ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("2024", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NestedDataPeriodReversed_NamesTheNestedPath()
    {
        var json = ConsentFixtures.Research("Patient/p1")
            .Replace("\"start\": \"2020-01-01\", \"end\": \"2020-12-31\"", "\"start\": \"2021-01-01\", \"end\": \"2020-12-31\"", StringComparison.Ordinal);

        var problem = Assert.Single(Validate(json));

        Assert.StartsWith("Consent.provision.provision[1].dataPeriod ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PeriodWithinOneDay_IsValid()
    {
        var json = ConsentFixtures.Research("Patient/p1", periodEnd: "2025-01-01");

        Assert.Empty(Validate(json));
    }

    [Fact]
    public void Validate_NestedProvisionWithoutType_IsRejected()
    {
        var json = System.Text.RegularExpressions.Regex.Replace(
            ConsentFixtures.Research("Patient/p1"), "\"type\": \"deny\",\\s*\"dataPeriod\"", "\"dataPeriod\"");

        var problem = Assert.Single(Validate(json));

        Assert.StartsWith("Consent.provision.provision[1].type", problem, StringComparison.Ordinal);
    }
}
