using HealthDataSpace.Core.Consent;

namespace HealthDataSpace.Core.Tests.Consent;

/// <summary>Every R4 JSON consent in the shared data parses strictly and passes the enforcement rules.</summary>
public sealed class ConsentExamplesTests
{
    /// <summary>
    /// consent-example-pkb (R4 spec) has nested provisions without a type. R4 defines provision.type as "required in
    /// all nested rules", and the engine could only guess whether those exceptions permit or deny, so it is refused.
    /// </summary>
    private static readonly Dictionary<string, string> KnownInvalid = new(StringComparer.Ordinal)
    {
        ["Consent-consent-example-pkb.json"] = "Consent.provision.provision[0].type",
    };

    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { ConsentFixtures.R4Spec, ConsentFixtures.IhePcf })
        {
            foreach (var file in Directory.GetFiles(ConsentFixtures.Folder(folder), "Consent-*.json").Order(StringComparer.Ordinal))
            {
                data.Add(folder, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Fact]
    public void Examples_SharedData_HasBothFolders()
    {
        Assert.Equal(12 + 23, Examples().Count);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Validate_SharedExample_ParsesAndIsValidUnlessKnownInvalid(string folder, string file)
    {
        var consent = ConsentFixtures.Load(folder, file);

        var problems = ConsentValidator.Validate(consent);

        if (KnownInvalid.TryGetValue(file, out var path))
        {
            Assert.Contains(problems, p => p.StartsWith(path, StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(problems);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Upsert_ValidSharedExample_IsIndexed(string folder, string file)
    {
        var consent = ConsentFixtures.Load(folder, file);
        var index = new ConsentIndex(ConsentDefaults.OptInEverywhere);

        if (KnownInvalid.ContainsKey(file))
        {
            var error = Assert.Throws<HealthDataSpace.Core.Fhir.FhirException>(() => index.Upsert("x", 1, consent));
            Assert.Equal(422, error.Status);
        }
        else
        {
            Assert.True(index.Upsert("x", 1, consent));
            Assert.Equal(1, index.Count);
        }
    }
}
