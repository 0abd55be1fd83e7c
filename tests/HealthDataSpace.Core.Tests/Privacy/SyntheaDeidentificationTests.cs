using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Tests.Common;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace HealthDataSpace.Core.Tests.Privacy;

/// <summary>
/// The issue's "done when" on every Synthea bundle in shared/data, with the shipped research policy: nothing
/// identifying survives, every reference resolves inside the output, intervals within a patient survive, and two
/// projects get disjoint pseudonyms.
/// </summary>
public sealed class SyntheaDeidentificationTests
{
    public static TheoryData<string> Bundles()
    {
        var data = new TheoryData<string>();
        foreach (var file in SyntheaData.PatientFiles.Concat(SyntheaData.HospitalPatientFiles).Concat(SyntheaData.HospitalInformationFiles))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.SharedData, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public void Anonymize_SyntheaBundle_NoIdentifyingStringOrInputDateSurvives(string bundle)
    {
        var input = File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedData, bundle));
        var sensitive = PrivacyTestData.FindSensitive(FhirJson.ParseResource(input));
        var inputJson = JsonDocument.Parse(input).RootElement;
        sensitive.Dates.UnionWith(PrivacyTestData.Dates(inputJson));

        var output = PrivacyTestData.ProjectEngine("study-a").Anonymize(input);
        var outputValues = PrivacyTestData.StringValues(JsonDocument.Parse(output).RootElement);
        var outputText = string.Join("\n", outputValues);

        // Every bundle has identifiers; the information bundles (organisations, practitioners) have no dates.
        Assert.NotEmpty(sensitive.Identifiers);
        Assert.True(sensitive.Dates.Count > 0 || bundle.Contains("Information", StringComparison.Ordinal));
        var leaks = sensitive.All
            .Where(s => outputValues.Contains(s.Value) || (s.Value.Length >= 6 && outputText.Contains(s.Value, StringComparison.Ordinal)))
            .Select(s => $"{s.Kind}: {s.Value}")
            .Take(10)
            .ToList();
        Assert.True(leaks.Count == 0, $"{bundle}: input values found in the output: {string.Join("; ", leaks)}");
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public void Anonymize_SyntheaBundle_OutputIsValidFhirAndEveryReferenceResolves(string bundle)
    {
        var parsed = Structural(Anonymized("study-a", bundle));
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in parsed.Entry)
        {
            targets.Add(entry.FullUrl);
            targets.Add($"{entry.Resource.TypeName}/{entry.Resource.Id}");
        }

        var conditionalTargets = ConditionalTargets("study-a");
        var unresolved = new List<string>();
        foreach (var entry in parsed.Entry)
        {
            var contained = (entry.Resource as DomainResource)?.Contained.Select(c => "#" + c.Id).ToHashSet() ?? [];
            foreach (var reference in ReferenceWalkerForTests.FindAll(entry.Resource).Select(r => r.Reference).OfType<string>())
            {
                var resolves = reference.StartsWith('#') ? contained.Contains(reference)
                    : reference.Contains('?', StringComparison.Ordinal) ? conditionalTargets.Contains(reference)
                    : targets.Contains(reference);
                if (!resolves)
                {
                    unresolved.Add(reference);
                }
            }
        }

        Assert.True(unresolved.Count == 0, $"{bundle}: {unresolved.Count} unresolved, e.g. {string.Join(", ", unresolved.Take(3))}");
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public void Anonymize_SyntheaBundle_IntervalsWithinThePatientAreKept(string bundle)
    {
        var input = (Bundle)FhirJson.ParseResource(File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedData, bundle)));
        var output = Structural(Anonymized("study-a", bundle));
        Assert.Equal(input.Entry.Count, output.Entry.Count);
        var shifts = new HashSet<TimeSpan>();
        for (var i = 0; i < input.Entry.Count; i++)
        {
            if (input.Entry[i].Resource is Encounter { Period: { } before } && output.Entry[i].Resource is Encounter { Period: { } after }
                && after.StartElement?.ToDateTimeOffset(TimeSpan.Zero) is { } shiftedStart)
            {
                var start = before.StartElement.ToDateTimeOffset(TimeSpan.Zero);
                shifts.Add(shiftedStart - start);
                Assert.Equal(before.EndElement?.ToDateTimeOffset(TimeSpan.Zero) - start, after.EndElement?.ToDateTimeOffset(TimeSpan.Zero) - shiftedStart);
            }
        }

        // One shift per patient: every kept interval between any two dates of the record is unchanged.
        if (bundle.Contains("Information", StringComparison.Ordinal))
        {
            return;
        }

        Assert.NotEmpty(shifts);
        var shift = Assert.Single(shifts);
        Assert.NotEqual(TimeSpan.Zero, shift);
        Assert.True(Math.Abs(shift.TotalDays) <= 51, $"shift {shift}");
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public void Anonymize_SyntheaBundleInTwoProjects_PseudonymsAreDisjoint(string bundle)
    {
        var first = Pseudonyms(Anonymized("study-a", bundle));
        var second = Pseudonyms(Anonymized("study-b", bundle));

        Assert.NotEmpty(first);
        Assert.Empty(first.Intersect(second));
    }

    private static byte[] Anonymized(string project, string bundle) =>
        PrivacyTestData.ProjectEngine(project).Anonymize(File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedData, bundle)));

    /// <summary>Resource ids, fullUrls and identifier values: everything that is a pseudonym.</summary>
    private static HashSet<string> Pseudonyms(byte[] output)
    {
        var bundle = Structural(output);
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in bundle.Entry)
        {
            values.Add(entry.FullUrl);
            values.Add(entry.Resource.Id);
            foreach (var identifier in PrivacyTestData.FindSensitive(entry.Resource).Identifiers)
            {
                values.Add(identifier);
            }
        }

        values.Remove(null!);
        return values;
    }

    /// <summary>
    /// Parses the output strictly for structure (every element known, every value of the right type) but not for
    /// cardinality: dates indicating an age over 89 are removed, as the anonymizer does, even where FHIR requires one.
    /// </summary>
    private static Bundle Structural(byte[] output)
    {
        var reader = new Utf8JsonReader(output);
        return (Bundle)StructuralParser.DeserializeResource(ref reader);
    }

    private static readonly FhirJsonDeserializer StructuralParser = new(new DeserializerSettings { Validator = null });

    private static readonly Dictionary<string, HashSet<string>> ConditionalTargetCache = [];

    /// <summary>Conditional references the information bundles satisfy: <c>Type?identifier=system|value</c> of each resource.</summary>
    private static HashSet<string> ConditionalTargets(string project)
    {
        lock (ConditionalTargetCache)
        {
            if (ConditionalTargetCache.TryGetValue(project, out var cached))
            {
                return cached;
            }

            var targets = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in SyntheaData.HospitalInformationFiles)
            {
                var output = Structural(PrivacyTestData.ProjectEngine(project).Anonymize(File.ReadAllBytes(file)));
                foreach (var resource in output.Entry.Select(e => e.Resource))
                {
                    IEnumerable<Identifier> identifiers = resource switch
                    {
                        Organization o => o.Identifier,
                        Practitioner p => p.Identifier,
                        Location l => l.Identifier,
                        PractitionerRole r => r.Identifier,
                        _ => [],
                    };
                    foreach (var identifier in identifiers)
                    {
                        targets.Add($"{resource.TypeName}?identifier={identifier.System}|{identifier.Value}");
                    }
                }
            }

            ConditionalTargetCache[project] = targets;
            return targets;
        }
    }
}
