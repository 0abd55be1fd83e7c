using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Gateway.Tests.Audit;

/// <summary>
/// End to end on the embedded store: consent writes are audited, then someone edits the SQLite file directly and
/// <c>GET /audit/$verify</c> reports the first broken entry. (Both backends are tested entry by entry in the storage
/// contract suite.) Also: the consent index survives a restart.
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class AuditTamperTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Verify_AuditEventEditedInDatabase_ReportsFirstBrokenEntry()
    {
        using var gateway = new GatewayFactory(fixture.Identity);
        var hospital = gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-t");
        var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-t");
        for (var i = 0; i < 3; i++)
        {
            var patient = await ConsentHttp.CreatePatientAsync(hospital, "Tamper", $"T-{i}");
            await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));
        }

        var before = await steward.GetFromJsonAsync<JsonElement>(new Uri("/audit/$verify", UriKind.Relative));
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(gateway.DataPath, "healthdataspace.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE fhir_versions SET json = REPLACE(json, '\"C\"', '\"R\"') WHERE rid = " +
                                  "(SELECT r.rid FROM fhir_resources r JOIN audit_chain c ON c.res_id = r.res_id WHERE c.seq = 2)";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var after = await steward.GetFromJsonAsync<JsonElement>(new Uri("/audit/$verify", UriKind.Relative));

        Assert.True(before.GetProperty("valid").GetBoolean());
        Assert.Equal(3, before.GetProperty("entries").GetInt64());
        Assert.False(after.GetProperty("valid").GetBoolean());
        Assert.Equal(2, after.GetProperty("firstBrokenAt").GetInt64());
    }

    [Fact]
    public async Task ConsentIndex_LoadedAtStartup_DecidesAsBeforeRestart()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "hds-tests", "restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string patient;
            using (var first = new GatewayFactory(fixture.Identity).WithSetting("Storage:DataPath", dataPath))
            {
                var hospital = first.CreateClientFor(GatewayRoles.Hospital, "hospital-r");
                patient = await ConsentHttp.CreatePatientAsync(hospital);
                await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));
            }

            SqliteConnection.ClearAllPools();
            using var second = new GatewayFactory(fixture.Identity).WithSetting("Storage:DataPath", dataPath);
            var decision = await ConsentHttp.EvaluateAsync(second.CreateClientFor(GatewayRoles.Steward, "s"), ConsentHttp.Question(patient));
            var verify = await second.CreateClientFor(GatewayRoles.Steward, "s").GetFromJsonAsync<JsonElement>(new Uri("/audit/$verify", UriKind.Relative));

            Assert.Equal("permit", decision.GetProperty("decision").GetString());
            Assert.True(verify.GetProperty("valid").GetBoolean());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
