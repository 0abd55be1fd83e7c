using System.Security.Cryptography;
using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Storage.Tests.Fhir;

/// <summary>
/// The audit chain on each backend: entries recorded through the audit trail verify; altering or deleting any stored
/// entry directly in the database, as someone with database access would, makes verification fail at that entry.
/// </summary>
public abstract partial class FhirStoreContract
{
    private static readonly AuditChainKey ChainKey = new(RandomNumberGenerator.GetBytes(32));

    private AuditTrail Trail => new(Engine.Store, new ResourceIndexer(SearchParameterRegistry.Shared),
        new SearchQueryParser(SearchParameterRegistry.Shared, new FhirOptions()), ChainKey, TimeProvider.System);

    private AuditVerifier Verifier => new(Engine.Store, ChainKey);

    private async Task<List<string>> RecordEntriesAsync(int count)
    {
        var ids = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var record = new AuditRecord(AuditCodes.Rest, [AuditCodes.Interaction("create")], AuditEvent.AuditEventAction.C,
                new AuditActor($"subject-{i}", "steward-console"), "RECORDMGT", AuditEvent.AuditEventOutcome.N0,
                [AuditEntity.Resource($"Consent/c{i}/_history/1"), AuditEntity.Patient($"Patient/p{i}")]);
            ids.Add(await Trail.RecordAsync(record, CancellationToken.None));
        }

        return ids;
    }

    [Fact]
    public async Task AuditVerify_UntouchedChain_IsValid()
    {
        await RecordEntriesAsync(5);

        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.True(result.Valid, result.Problem);
        Assert.Equal(5, result.Entries);
        Assert.Null(result.FirstBrokenAt);
    }

    [Fact]
    public async Task AuditVerify_EmptyChain_IsValidWithNoEntries()
    {
        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.Equal(new AuditVerification(true, 0, null, null), result);
    }

    [Fact]
    public async Task AuditRecord_StoresSearchableAuditEvent()
    {
        var ids = await RecordEntriesAsync(3);

        var byAgent = await Engine.SearchIdsAsync(Infrastructure.FhirTestEngine.Steward, "AuditEvent",
            $"agent:identifier={AuditCodes.SubjectSystem}|subject-2");
        var byEntity = await Engine.SearchIdsAsync(Infrastructure.FhirTestEngine.Steward, "AuditEvent", "entity=Consent/c3/_history/1");
        var hidden = await Engine.SearchIdsAsync(Infrastructure.FhirTestEngine.HospitalA, "AuditEvent", string.Empty);

        Assert.Equal([ids[1]], byAgent);
        Assert.Equal([ids[2]], byEntity);
        Assert.Empty(hidden);
    }

    [Theory]
    [InlineData("body")]
    [InlineData("resource-row")]
    [InlineData("version-row")]
    [InlineData("link-hash")]
    [InlineData("link-row")]
    public async Task AuditVerify_MiddleEntryTampered_ReportsThatEntry(string tampering)
    {
        var ids = await RecordEntriesAsync(5);
        var third = ids[2];
        var rid = $"(SELECT rid FROM fhir_resources WHERE res_type = 'AuditEvent' AND res_id = '{third}')";
        var sql = tampering switch
        {
            "body" => $"UPDATE fhir_versions SET json = REPLACE(json, 'subject-3', 'someone-else') WHERE rid = {rid}",
            "resource-row" => $"DELETE FROM fhir_resources WHERE res_type = 'AuditEvent' AND res_id = '{third}'",
            "version-row" => $"DELETE FROM fhir_versions WHERE rid = {rid}",
            "link-hash" => "UPDATE audit_chain SET hash = 'ff' || hash WHERE seq = 3",
            "link-row" => "DELETE FROM audit_chain WHERE seq = 3",
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };
        Assert.Equal(1, await ExecuteSqlAsync(sql));

        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBrokenAt);
        Assert.NotNull(result.Problem);
    }

    [Fact]
    public async Task AuditVerify_NewestEntryDeleted_DetectedByAnchor()
    {
        var ids = await RecordEntriesAsync(4);
        await ExecuteSqlAsync("DELETE FROM audit_chain WHERE seq = 4");
        await ExecuteSqlAsync($"DELETE FROM fhir_versions WHERE rid = (SELECT rid FROM fhir_resources WHERE res_type = 'AuditEvent' AND res_id = '{ids[3]}')");
        await ExecuteSqlAsync($"DELETE FROM fhir_resources WHERE res_type = 'AuditEvent' AND res_id = '{ids[3]}'");

        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(3, result.Entries);
        Assert.Equal(4, result.FirstBrokenAt);
    }

    [Fact]
    public async Task AuditVerify_AnchorRewoundToEarlierLink_Detected()
    {
        await RecordEntriesAsync(4);
        // Someone deletes the newest link and points the anchor at the one before it, without the key to re-seal it.
        await ExecuteSqlAsync("DELETE FROM audit_chain WHERE seq = 4");
        await ExecuteSqlAsync("UPDATE audit_anchor SET seq = 3, hash = (SELECT hash FROM audit_chain WHERE seq = 3)");

        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
    }

    [Fact]
    public async Task AuditVerify_AuditEventWrittenAroundTheChain_Detected()
    {
        await RecordEntriesAsync(2);
        await using (var session = await Engine.Store.OpenSessionAsync(forWrite: true, CancellationToken.None))
        {
            var forged = new AuditEvent { Id = "forged", Recorded = DateTimeOffset.UtcNow };
            await session.SaveAsync(new ResourceWrite("AuditEvent", "forged", 1, AuditTrail.Owner, DateTimeOffset.UtcNow, "POST",
                FhirJson.Serialize(forged), []), CancellationToken.None);
            await session.CommitAsync(CancellationToken.None);
        }

        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(2, result.Entries);
    }

    [Fact]
    public async Task AuditVerify_OtherKey_RejectsEveryEntry()
    {
        await RecordEntriesAsync(2);

        var result = await new AuditVerifier(Engine.Store, new AuditChainKey(RandomNumberGenerator.GetBytes(32))).VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(1, result.FirstBrokenAt);
    }

    [Fact]
    public async Task AuditRecord_ConcurrentWriters_FormOneUnbrokenChain()
    {
        var record = new AuditRecord(AuditCodes.Query, [], AuditEvent.AuditEventAction.E, new AuditActor("s", "c"), "HRESCH",
            AuditEvent.AuditEventOutcome.N0, []);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Trail.RecordAsync(record, CancellationToken.None))));

        var result = await Verifier.VerifyAsync(CancellationToken.None);

        Assert.True(result.Valid, result.Problem);
        Assert.Equal(16, result.Entries);
    }
}
