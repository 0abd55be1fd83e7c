using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;
using static HealthDataSpace.Storage.Tests.Infrastructure.FhirTestEngine;

namespace HealthDataSpace.Storage.Tests.Fhir;

public abstract partial class FhirStoreContract
{
    private static Bundle ConditionalCreates(IEnumerable<string> npis)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var npi in npis)
        {
            bundle.Entry.Add(Post(new Practitioner { Identifier = [new Identifier("http://hl7.org/fhir/sid/us-npi", npi)] },
                ifNoneExist: $"identifier=http://hl7.org/fhir/sid/us-npi|{npi}"));
        }

        bundle.Entry.Add(Post(new Encounter
        {
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
            Participant = [.. npis.Select(n => new Encounter.ParticipantComponent { Individual = new ResourceReference($"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|{n}") })],
        }));
        return bundle;
    }

    [Fact]
    public async Task Transactions_ConcurrentOverlappingConditionalCreates_AllSucceedWithoutDuplicates()
    {
        string[] npis = ["1000000001", "1000000002", "1000000003", "1000000004"];
        var bundles = Enumerable.Range(0, 12)
            .Select(i => ConditionalCreates(i % 2 == 0 ? npis : npis.Reverse()))
            .ToList();

        var results = await Task.WhenAll(bundles.Select(b => Task.Run(() => Engine.TransactionAsync(HospitalA, b))));
        var practitioners = await Engine.SearchAsync(HospitalA, "Practitioner", "_summary=count");
        var encounters = await Engine.SearchAsync(HospitalA, "Encounter", "_summary=count");

        Assert.All(results, r => Assert.All(r.Entry, e => Assert.StartsWith("20", e.Response.Status, StringComparison.Ordinal)));
        Assert.Equal(npis.Length, practitioners.Total);
        Assert.Equal(12, encounters.Total);
    }

    [Fact]
    public async Task Updates_ConcurrentWithSameIfMatch_ExactlyOneWins()
    {
        var created = await Engine.CreateAsync(HospitalA, NewPatient());
        var patient = Parse<Patient>(created);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Engine.Service.UpdateAsync(HospitalA, "Patient", created.Id, patient.DeepCopy(), 1, CancellationToken.None);
                return 200;
            }
            catch (FhirException e)
            {
                return e.Status;
            }
        })));
        var current = await Engine.Service.ReadAsync(HospitalA, "Patient", created.Id, CancellationToken.None);

        Assert.Equal(1, attempts.Count(s => s == 200));
        Assert.All(attempts.Where(s => s != 200), s => Assert.True(s is 409 or 412, $"status {s}"));
        Assert.Equal(2, current.Version);
    }
}
