using HealthDataSpace.Core.Fhir.Store;
using static HealthDataSpace.Storage.Tests.Infrastructure.FhirTestEngine;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>Scans (how exports read a whole type): current versions only, no deletions, every resource once across pages.</summary>
public abstract partial class FhirStoreContract
{
    [Fact]
    public async Task Scan_PagesThroughCurrentVersions_SkipsDeletedAndOtherTypes()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await Engine.CreateAsync(HospitalA, new Patient { Gender = AdministrativeGender.Female })).Id);
        }

        await Engine.CreateAsync(HospitalA, new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "8867-4") });
        var updated = new Patient { Id = ids[2], Gender = AdministrativeGender.Male };
        await Engine.Service.UpdateAsync(HospitalA, "Patient", ids[2], updated, null, CancellationToken.None);
        await Engine.Service.DeleteAsync(HospitalA, "Patient", ids[4], null, CancellationToken.None);

        var seen = new List<StoredResource>();
        var pages = 0;
        long? position = 0;
        await using (var session = await Engine.Store.OpenSessionAsync(forWrite: false, CancellationToken.None))
        {
            while (position is { } after)
            {
                var page = await session.ScanAsync("Patient", after, 3, CancellationToken.None);
                seen.AddRange(page.Resources);
                position = page.Next;
                pages++;
            }
        }

        Assert.Equal(ids.Where((_, i) => i != 4).Order(StringComparer.Ordinal), seen.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.All(seen, r => Assert.Equal("Patient", r.Type));
        Assert.Equal(2, seen.Single(r => r.Id == ids[2]).Version);
        Assert.Contains("male", seen.Single(r => r.Id == ids[2]).Json, StringComparison.Ordinal);
        Assert.Equal(3, pages);
    }
}
