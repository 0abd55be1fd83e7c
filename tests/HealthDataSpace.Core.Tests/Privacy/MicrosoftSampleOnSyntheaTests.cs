using System.Text.Json;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Core.Tests.Privacy;

/// <summary>Microsoft's own sample configuration, unchanged except for its keys, over every Synthea bundle.</summary>
public sealed class MicrosoftSampleOnSyntheaTests
{
    private static readonly Lazy<AnonymizationEngine> CompatibleEngine = new(() =>
    {
        var text = File.ReadAllText(PrivacyTestData.MicrosoftSamplePath)
            .Replace("\"dateShiftKey\": \"\"", "\"dateShiftKey\": \"sample-shift\"", StringComparison.Ordinal)
            .Replace("\"cryptoHashKey\": \"\"", "\"cryptoHashKey\": \"sample-hash\"", StringComparison.Ordinal);
        return AnonymizationEngine.Create(AnonymizationPolicy.Parse(text));
    });

    [Theory]
    [MemberData(nameof(SyntheaDeidentificationTests.Bundles), MemberType = typeof(SyntheaDeidentificationTests))]
    public void Anonymize_MicrosoftSampleInCompatibleMode_RemovesNamesIdentifiersAndTelecoms(string bundle)
    {
        var input = File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedData, bundle));
        // The sample keeps Organization identifiers, telecoms and addresses on purpose (its first rules), so values an
        // organisation also has (a Location at the hospital's address) may stay.
        var entries = ((Hl7.Fhir.Model.Bundle)FhirJson.ParseResource(input)).Entry.Select(e => e.Resource!).ToList();
        var organisations = entries.OfType<Hl7.Fhir.Model.Organization>().Select(o => PrivacyTestData.FindSensitive(o)).SelectMany(f => f.All).Select(a => a.Value).ToHashSet();
        var sensitive = new SensitiveStrings();
        foreach (var found in entries.Where(r => r is not Hl7.Fhir.Model.Organization).Select(PrivacyTestData.FindSensitive))
        {
            sensitive.Names.UnionWith(found.Names);
            sensitive.Identifiers.UnionWith(found.Identifiers.Except(organisations));
            sensitive.Telecoms.UnionWith(found.Telecoms.Except(organisations));
            sensitive.AddressLines.UnionWith(found.AddressLines.Except(organisations));
        }

        var output = JsonDocument.Parse(CompatibleEngine.Value.Anonymize(input)).RootElement;
        var values = PrivacyTestData.StringValues(output);

        Assert.Equal("Bundle", output.GetProperty("resourceType").GetString());
        Assert.NotEmpty(sensitive.Identifiers);
        Assert.DoesNotContain(sensitive.All, s => values.Contains(s.Value));
    }
}
