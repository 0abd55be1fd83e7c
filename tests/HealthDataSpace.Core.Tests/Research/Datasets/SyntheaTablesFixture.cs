using System.Text;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research.Datasets.Tables;
using HealthDataSpace.Core.Tests.Privacy;

namespace HealthDataSpace.Core.Tests.Research.Datasets;

/// <summary>One resource of the Synthea corpus as the identified store holds it, and as the export pseudonymised it.</summary>
internal sealed record StoredResource(string Type, string Id, JsonObject Original, string? PatientId, byte[] Pseudonymised);

/// <summary>
/// Every Synthea bundle of shared/data, as an export would see it: each entry becomes a stored resource
/// (<see cref="SyntheaStoredResources"/>), is pseudonymised on its own with the default research
/// policy in a project, and is fed to a <see cref="DatasetTableSet"/> with row groups of 100 rows, written through
/// forward-only streams. The tests then read the files with DuckDB and compare with what they count in the input.
/// </summary>
public sealed class SyntheaTablesFixture : IAsyncLifetime
{
    public const string Project = "tables-study";
    public const int RowGroupSize = 100;

    internal PseudonymDomain Domain { get; } = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, Project);

    internal List<StoredResource> Resources { get; } = [];

    internal SensitiveStrings Sensitive { get; } = new();

    internal TableFiles Files { get; } = new();

    internal IReadOnlyList<DatasetTableInfo> Tables { get; private set; } = [];

    internal int Ignored { get; private set; }

    public async Task InitializeAsync()
    {
        var engine = PrivacyTestData.ProjectEngine(Project);
        foreach (var file in SyntheaData.PatientFiles.Concat(SyntheaData.HospitalPatientFiles).Concat(SyntheaData.HospitalInformationFiles))
        {
            var sensitive = PrivacyTestData.FindSensitive(SyntheaData.Load(file));
            Sensitive.Names.UnionWith(sensitive.Names);
            Sensitive.Identifiers.UnionWith(sensitive.Identifiers);
            Sensitive.Telecoms.UnionWith(sensitive.Telecoms);
            Sensitive.AddressLines.UnionWith(sensitive.AddressLines);
            Resources.AddRange(StoredResources(file, engine));
        }

        var set = Files.CreateSet(RowGroupSize);
        await using (set)
        {
            foreach (var resource in Resources)
            {
                if (!await set.AddResourceAsync(resource.Pseudonymised, CancellationToken.None))
                {
                    Ignored++;
                }
            }

            Tables = await set.CompleteAsync(CancellationToken.None);
        }

        Files.CloseStreams();
    }

    public Task DisposeAsync()
    {
        Files.Dispose();
        return Task.CompletedTask;
    }

    internal IEnumerable<StoredResource> OfType(params string[] types) => Resources.Where(r => types.Contains(r.Type));

    private static IEnumerable<StoredResource> StoredResources(string file, AnonymizationEngine engine)
    {
        foreach (var (type, id, resource) in SyntheaStoredResources.FromBundle(File.ReadAllBytes(file)))
        {
            var patient = type == "Patient" ? id
                : resource["subject"]?["reference"]?.GetValue<string>() is { } subject && subject.StartsWith("Patient/", StringComparison.Ordinal)
                    ? subject["Patient/".Length..]
                    : null;
            yield return new StoredResource(type, id, resource, patient, engine.Anonymize(Encoding.UTF8.GetBytes(resource.ToJsonString())));
        }
    }
}
