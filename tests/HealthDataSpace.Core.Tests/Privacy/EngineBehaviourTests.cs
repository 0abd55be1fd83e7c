using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Core.Tests.Privacy;

/// <summary>Paths, rule order, nested resources, labels and bad input.</summary>
public sealed class EngineBehaviourTests
{
    private const string Keys = """{"cryptoHashKey": "hash-key", "dateShiftKey": "shift-key"}""";

    private static JsonElement Run(string rules, string resource, string parameters = Keys) =>
        PrivacyTestData.RunToJson(AnonymizationEngine.Create(PrivacyTestData.Policy(rules, parameters), clock: MethodSemanticsTests.Clock), resource);

    private const string Patient = """
        {"resourceType": "Patient", "id": "p1",
         "name": [{"use": "official", "family": "Petrov", "given": ["Ivan"]}, {"use": "nickname", "given": ["Vanko"]}],
         "telecom": [{"system": "phone", "value": "555-1", "use": "home"}, {"system": "phone", "value": "555-2", "use": "work"}],
         "gender": "male", "birthDate": "1980-02-03",
         "_birthDate": {"extension": [{"url": "http://example.org/time", "valueDateTime": "1980-02-03T04:05:06Z"}]},
         "contained": [{"resourceType": "Organization", "id": "org", "name": "Clinic", "telecom": [{"value": "555-3"}]}],
         "managingOrganization": {"reference": "#org"}}
        """;

    [Fact]
    public void Where_WithEqualityFilter_MatchesOnlyThoseNodes()
    {
        var output = Run("""{"path": "nodesByType('ContactPoint').where(use = 'home')", "method": "redact"}""", Patient);

        var telecom = output.GetProperty("telecom");
        Assert.Equal(1, telecom.GetArrayLength());
        Assert.Equal("555-2", telecom[0].GetProperty("value").GetString());
    }

    [Fact]
    public void NodesByName_AndUnion_MatchEveryNamedElementOutsideNestedResources()
    {
        var output = Run("""{"path": "nodesByName('given') | Patient.gender", "method": "redact"}""", Patient);

        Assert.False(output.GetProperty("name")[0].TryGetProperty("given", out _));
        Assert.False(output.GetProperty("name")[1].TryGetProperty("given", out _));
        Assert.Equal("nickname", output.GetProperty("name")[1].GetProperty("use").GetString());
        Assert.False(output.TryGetProperty("gender", out _));
        Assert.Equal("555-3", output.GetProperty("contained")[0].GetProperty("telecom")[0].GetProperty("value").GetString());
    }

    [Fact]
    public void As_OnChoiceElement_MatchesOnlyThatType()
    {
        const string condition = """{"resourceType": "Condition", "subject": {"reference": "Patient/1"}, "onsetAge": {"value": 40, "unit": "a"}, "abatementString": "better"}""";

        var output = Run("""{"path": "Condition.onset | Condition.abatement as Age", "method": "redact"}""", condition);

        Assert.False(output.TryGetProperty("onsetAge", out _));
        Assert.Equal("better", output.GetProperty("abatementString").GetString());
    }

    [Fact]
    public void FirelyFallback_ForPathsThePlanCannotCompile_ProcessesTheRightNode()
    {
        var rule = """{"path": "Patient.name.first().given | Patient.telecom[1].value", "method": "redact"}""";
        Assert.NotNull(CompiledRule.Compile(PrivacyTestData.Policy(rule).Rules[0]).Fallback);

        var output = Run(rule, Patient);

        Assert.False(output.GetProperty("name")[0].TryGetProperty("given", out _));
        Assert.Equal("Vanko", output.GetProperty("name")[1].GetProperty("given")[0].GetString());
        Assert.Equal("555-1", output.GetProperty("telecom")[0].GetProperty("value").GetString());
        Assert.False(output.GetProperty("telecom")[1].TryGetProperty("value", out _));
    }

    [Fact]
    public void ContainedResources_GetTheirOwnTypesRules_AndInternalReferencesStayConsistent()
    {
        var output = Run("""{"path": "Resource.id", "method": "cryptoHash"}, {"path": "nodesByType('Reference').reference", "method": "cryptoHash"}, {"path": "Organization.name", "method": "redact"}""", Patient);

        var contained = output.GetProperty("contained")[0];
        Assert.False(contained.TryGetProperty("name", out _));
        Assert.Equal("#" + contained.GetProperty("id").GetString(), output.GetProperty("managingOrganization").GetProperty("reference").GetString());
        Assert.False(contained.TryGetProperty("meta", out _));
        // The container's labels include what was done inside its contained resources.
        var labels = output.GetProperty("meta").GetProperty("security").EnumerateArray().Select(c => c.GetProperty("code").GetString()).ToList();
        Assert.Equal(["REDACTED", "CRYTOHASH"], labels);
    }

    [Fact]
    public void PrimitiveExtensions_AreProcessedAsChildrenOfThePrimitive()
    {
        var output = Run("""{"path": "nodesByType('dateTime')", "method": "redact"}""", Patient);

        Assert.Equal("1980-02-03", output.GetProperty("birthDate").GetString());
        Assert.False(output.TryGetProperty("_birthDate", out var extras) && extras.GetProperty("extension")[0].TryGetProperty("valueDateTime", out _));
    }

    [Fact]
    public void Bundle_EntriesUseTheirOwnRules_AndTheBundleCarriesTheirLabels()
    {
        const string bundle = """
            {"resourceType": "Bundle", "type": "collection", "entry": [
              {"fullUrl": "urn:uuid:2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11", "resource": {"resourceType": "Patient", "name": [{"family": "Petrov"}]}},
              {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": "urn:uuid:2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11"}}}]}
            """;

        var output = Run("""{"path": "Patient.name", "method": "redact"}, {"path": "Observation.subject.reference", "method": "cryptoHash"}, {"path": "Bundle.entry.fullUrl", "method": "cryptoHash"}""", bundle);

        var entries = output.GetProperty("entry");
        Assert.False(entries[0].GetProperty("resource").TryGetProperty("name", out _));
        Assert.Equal(entries[0].GetProperty("fullUrl").GetString(), entries[1].GetProperty("resource").GetProperty("subject").GetProperty("reference").GetString());
        var bundleLabels = output.GetProperty("meta").GetProperty("security").EnumerateArray().Select(c => c.GetProperty("code").GetString()).ToList();
        Assert.Contains("REDACTED", bundleLabels);
        Assert.Contains("CRYTOHASH", bundleLabels);
    }

    [Fact]
    public void ProcessingError_Raise_Throws_AndSkip_ReturnsAnEmptyRedactedResource()
    {
        const string rules = """{"path": "Patient.name", "method": "generalize", "cases": {"true": "'x'"}}""";
        var raise = AnonymizationEngine.Create(PrivacyTestData.Policy(rules));
        var skip = AnonymizationEngine.Create(AnonymizationPolicy.Parse($$"""{"processingErrors": "skip", "fhirPathRules": [{{rules}}]}"""));

        var error = Assert.Throws<AnonymizationProcessingException>(() => PrivacyTestData.Run(raise, Patient));
        var empty = PrivacyTestData.RunToJson(skip, Patient);

        Assert.Contains("fhirPathRules[0]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Petrov", error.Message, StringComparison.Ordinal);
        Assert.Equal(["resourceType", "meta"], empty.EnumerateObject().Select(p => p.Name));
        Assert.Equal("REDACTED", empty.GetProperty("meta").GetProperty("security")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"resourceType\": \"Patient\",\n \"nmae\": [{\"family\": \"Petrov\"}]}", "'nmae' is not an element of Patient", 2)]
    [InlineData("{\"resourceType\": \"Patient\",\n\n \"gender\": 5}", "wrong kind", 3)]
    [InlineData("{\"resourceType\": \"Patiant\", \"id\": \"Petrov\"}", "not an R4 resource type", 1)]
    [InlineData("{\"resourceType\": \"Patient\", \"name\": {\"family\": \"Petrov\"}}", "must be a JSON array", 1)]
    [InlineData("{\"resourceType\": \"Patient\", \"id\": \"Petrov\"", "not well-formed JSON", 1)]
    public void Anonymize_UnparsableResource_ReportsWhereWithoutEchoingValues(string json, string problem, int line)
    {
        var engine = AnonymizationEngine.Create(PrivacyTestData.Policy("""{"path": "Patient.name", "method": "redact"}"""));

        var error = Assert.Throws<FhirParseException>(() => engine.Anonymize(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
        Assert.DoesNotContain("Petrov", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymize_ResourceTypeNotFirst_IsReadAndWrittenBackWithResourceTypeFirst()
    {
        var output = PrivacyTestData.Run(AnonymizationEngine.Create(PrivacyTestData.Policy("")), """{"gender": "female", "resourceType": "Patient"}""");

        Assert.StartsWith("{\"resourceType\":\"Patient\"", output, StringComparison.Ordinal);
        Assert.Contains("\"gender\":\"female\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymize_TwoEnginesAlternatingOnOneThread_EachKeepsItsOwnRules()
    {
        // Each engine reuses per-thread scratch (node index, output buffer); alternating must not mix them up.
        var names = AnonymizationEngine.Create(PrivacyTestData.Policy("""{"path": "nodesByName('given')", "method": "redact"}"""));
        var phones = AnonymizationEngine.Create(PrivacyTestData.Policy("""{"path": "nodesByType('ContactPoint')", "method": "redact"}"""));

        var results = Enumerable.Range(0, 3).SelectMany(_ => new[] { PrivacyTestData.RunToJson(names, Patient), PrivacyTestData.RunToJson(phones, Patient) }).ToList();

        foreach (var (output, i) in results.Select((o, i) => (o, i)))
        {
            var byNames = i % 2 == 0;
            Assert.Equal(!byNames, output.GetProperty("name")[0].TryGetProperty("given", out _));
            Assert.Equal(byNames, output.TryGetProperty("telecom", out _));
        }

        var throwing = AnonymizationEngine.Create(PrivacyTestData.Policy("""{"path": "Patient.name", "method": "generalize", "cases": {"true": "'x'"}}"""));
        Assert.Throws<AnonymizationProcessingException>(() => PrivacyTestData.Run(throwing, Patient));
        Assert.False(PrivacyTestData.RunToJson(names, Patient).GetProperty("name")[0].TryGetProperty("given", out _));
    }
}
