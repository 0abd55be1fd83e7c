using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace HealthDataSpace.Gateway.Tests.Consent;

/// <summary>
/// Two gateway replicas on one store: a consent written or revoked through one is enforced by the other on its very
/// next decision (the consent change feed), without a restart.
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class ConsentReplicaTests(GatewayFixture fixture)
{
    [Fact]
    public async Task ConsentWrittenThroughOneReplica_DecidesOnTheOther()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "hds-tests", "replicas-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var first = new GatewayFactory(fixture.Identity).WithSetting("Storage:DataPath", dataPath);
            using var second = new GatewayFactory(fixture.Identity).WithSetting("Storage:DataPath", dataPath);
            var hospital = first.CreateClientFor(GatewayRoles.Hospital, "hospital-replica");
            var steward = second.CreateClientFor(GatewayRoles.Steward, "steward-replica");
            var patient = await ConsentHttp.CreatePatientAsync(hospital);
            var before = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));

            var consent = await ConsentHttp.PostConsentAsync(hospital, ConsentFixtures.Research($"Patient/{patient}"));
            var afterWrite = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));
            consent.Status = Hl7.Fhir.Model.Consent.ConsentState.Rejected;
            (await hospital.SendAsync(FhirClient.Request(HttpMethod.Put, $"/fhir/Consent/{consent.Id}", consent))).EnsureSuccessStatusCode();
            var afterRevoke = await ConsentHttp.EvaluateAsync(steward, ConsentHttp.Question(patient));

            Assert.Equal("deny", before.GetProperty("decision").GetString());
            Assert.Equal("permit", afterWrite.GetProperty("decision").GetString());
            Assert.Equal("deny", afterRevoke.GetProperty("decision").GetString());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
