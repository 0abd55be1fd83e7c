using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Core.Tests.Privacy;

public sealed class PolicyLoadingTests
{
    [Fact]
    public void LoadFile_MicrosoftSampleConfiguration_LoadsUnchanged()
    {
        var policy = AnonymizationPolicy.LoadFile(PrivacyTestData.MicrosoftSamplePath);

        Assert.Equal("R4", policy.FhirVersion);
        Assert.Equal(ProcessingErrorsMode.Raise, policy.ProcessingErrors);
        Assert.Equal(193, policy.Rules.Count);
        Assert.Equal("nodesByType('Extension')", policy.Rules[0].Path);
        Assert.Equal(AnonymizationMethod.DateShift, policy.Rules.Single(r => r.Path == "nodesByType('date')").Method);
        Assert.Equal(AnonymizationMethod.Perturb, policy.Rules.Single(r => r.Path == "FamilyMemberHistory.condition.onset as Age").Method);
        Assert.True(policy.Parameters.EnablePartialAgesForRedact && policy.Parameters.EnablePartialDatesForRedact && policy.Parameters.EnablePartialZipCodesForRedact);
        Assert.Equal(14, policy.Parameters.RestrictedZipCodeTabulationAreas.Count);
        Assert.Equal(DateShiftScope.Resource, policy.Parameters.DateShiftScope);
    }

    [Fact]
    public void Create_MicrosoftSampleWithProject_AnonymizesSyntheaBundle()
    {
        var engine = PrivacyTestData.ProjectEngine("sample", AnonymizationPolicy.LoadFile(PrivacyTestData.MicrosoftSamplePath));

        var output = PrivacyTestData.StringValues(System.Text.Json.JsonDocument.Parse(engine.Anonymize(File.ReadAllBytes(SyntheaData.SmallestPatientFile))).RootElement);

        Assert.DoesNotContain("Gustavo", output);
        Assert.DoesNotContain("999-68-8566", output);
        Assert.Contains("Massachusetts", output);
    }

    [Fact]
    public void Create_MicrosoftSampleWithoutProjectOrKeys_FailsNamingTheFirstRuleThatNeedsAKey()
    {
        var policy = AnonymizationPolicy.LoadFile(PrivacyTestData.MicrosoftSamplePath);

        var error = Assert.Throws<PolicyException>(() => AnonymizationEngine.Create(policy));

        Assert.Contains("fhirPathRules[9]", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Resource.id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cryptoHashKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultResearch_Loads_AndEveryRulePathIsCompiledWithoutFallback()
    {
        var policy = AnonymizationPolicy.DefaultResearch;

        Assert.NotEmpty(policy.Rules);
        Assert.All(policy.Rules, rule => Assert.Null(CompiledRule.Compile(rule).Fallback));
    }

    [Theory]
    [InlineData("""{"path": "Patient.name", "method": "scramble"}""", "unknown method 'scramble'")]
    [InlineData("""{"path": "Patient.name.where(", "method": "redact"}""", "not valid FHIRPath")]
    [InlineData("""{"path": "Patient.name", "method": "substitute"}""", "needs replaceWith")]
    [InlineData("""{"path": "Observation.value", "method": "perturb"}""", "needs span")]
    [InlineData("""{"path": "Observation.value", "method": "perturb", "span": -1}""", "span must be")]
    [InlineData("""{"path": "Observation.value", "method": "perturb", "span": 1, "roundTo": 29}""", "roundTo must be")]
    [InlineData("""{"path": "Observation.value", "method": "perturb", "span": 1, "rangeType": "wild"}""", "rangeType must be")]
    [InlineData("""{"path": "Patient.gender", "method": "generalize"}""", "needs cases")]
    [InlineData("""{"path": "Patient.gender", "method": "generalize", "cases": {"$this = ": "'x'"}}""", "case 0 is not valid FHIRPath")]
    [InlineData("""{"path": "Patient.gender", "method": "generalize", "cases": {"true": "'x'"}, "otherValues": "drop"}""", "otherValues must be")]
    [InlineData("""{"method": "redact"}""", "has no path")]
    [InlineData("""{"path": "Patient.name"}""", "has no method")]
    public void Parse_InvalidRule_FailsNamingTheRule(string rule, string problem)
    {
        var error = Assert.Throws<PolicyException>(() => PrivacyTestData.Policy("""{"path": "Resource.id", "method": "keep"}, """ + rule));

        Assert.Contains("fhirPathRules[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EncryptKeyOfWrongSize_FailsWithoutQuotingTheKey()
    {
        var error = Assert.Throws<PolicyException>(() => PrivacyTestData.Policy("", """{"encryptKey": "SECRET-ten"}"""));

        Assert.Contains("80 bits", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EncryptWithoutKeyAndNoProject_FailsNamingTheRule()
    {
        var policy = PrivacyTestData.Policy("""{"path": "Patient.name", "method": "keep"}, {"path": "Patient.address.city", "method": "encrypt"}""");

        var error = Assert.Throws<PolicyException>(() => AnonymizationEngine.Create(policy));

        Assert.Contains("fhirPathRules[1] (path 'Patient.address.city', method 'Encrypt')", error.Message, StringComparison.Ordinal);
        Assert.Contains("encryptKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"fhirVersion": "Stu3", "fhirPathRules": []}""", "fhirVersion")]
    [InlineData("""{"fhirVersion": "R4", "processingErrors": "keep", "fhirPathRules": []}""", "processingErrors")]
    [InlineData("""{"fhirVersion": "R4"}""", "fhirPathRules")]
    [InlineData("""{"fhirPathRules": [], "parameters": {"dateShiftScope": "planet"}}""", "dateShiftScope")]
    [InlineData("""{"fhirPathRules": [""", "not well-formed JSON")]
    public void Parse_InvalidPolicy_FailsWithAClearMessage(string json, string problem)
    {
        var error = Assert.Throws<PolicyException>(() => AnonymizationPolicy.Parse(json));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MethodNamesAndKeys_AreCaseInsensitiveAsInTheAnonymizer()
    {
        var policy = AnonymizationPolicy.Parse("""{"FhirVersion": "r4", "processingErrors": "SKIP", "fhirPathRules": [{"Path": "Patient.name", "Method": "REDACT"}]}""");

        Assert.Equal(AnonymizationMethod.Redact, policy.Rules[0].Method);
        Assert.Equal(ProcessingErrorsMode.Skip, policy.ProcessingErrors);
    }
}
