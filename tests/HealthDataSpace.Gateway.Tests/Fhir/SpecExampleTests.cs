using System.Net;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>
/// The FHIR R4 specification's own example resources (Fhir/Examples, CC0) through the REST API: stored as written
/// with their client ids (update-as-create), and found by the search parameters the standard defines for them.
/// </summary>
[Collection(GatewayTestGroup.Name)]
public sealed class SpecExampleTests(GatewayFixture fixture) : IDisposable
{
    private readonly GatewayFactory gateway = new(fixture.Identity);

    private static string Example(string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fhir", "Examples", file));

    [Fact]
    public async Task PatientAndBloodPressureExamples_StoredAndSearchableByStandardParameters()
    {
        var client = gateway.CreateClientFor(GatewayRoles.Hospital);
        await client.PutAsync(new Uri("/fhir/Organization/1", UriKind.Relative), FhirClient.Body("""{"resourceType":"Organization","id":"1","name":"Gastroenterology"}"""));
        await client.PutAsync(new Uri("/fhir/Practitioner/example", UriKind.Relative), FhirClient.Body("""{"resourceType":"Practitioner","id":"example","name":[{"family":"Careful","given":["Adam"]}]}"""));

        var patient = await client.PutAsync(new Uri("/fhir/Patient/example", UriKind.Relative), FhirClient.Body(Example("patient-example.json")));
        var observation = await client.PutAsync(new Uri("/fhir/Observation/blood-pressure", UriKind.Relative), FhirClient.Body(Example("observation-example-bloodpressure.json")));

        Assert.Equal(HttpStatusCode.Created, patient.StatusCode);
        Assert.Equal(HttpStatusCode.Created, observation.StatusCode);
        var stored = await patient.ReadAsync<Patient>();
        Assert.Equal("1974-12-25T14:35:45-05:00", ((FhirDateTime)stored.BirthDateElement.Extension[0].Value).Value);
        Assert.Equal("VV", ((FhirString)stored.Contact[0].Name.FamilyElement.Extension[0].Value).Value);

        foreach (var (query, type) in new[]
        {
            ("identifier=urn:oid:1.2.36.146.595.217.0.1|12345", "Patient"),
            ("name=windsor", "Patient"),
            ("given=jim", "Patient"),
            ("phone=(03) 5555 6473", "Patient"),
            ("address-postalcode=3999", "Patient"),
            ("address-city=pleasant", "Patient"),
            ("birthdate=1974-12-25", "Patient"),
            ("deceased=false", "Patient"),
            ("organization=Organization/1", "Patient"),
            ("code=http://loinc.org|85354-9", "Observation"),
            ("component-code=http://loinc.org|8480-6", "Observation"),
            ("component-value-quantity=gt100|http://unitsofmeasure.org|mm[Hg]", "Observation"),
            ("patient=example&category=vital-signs&date=2012-09", "Observation"),
            ("performer=Practitioner/example", "Observation"),
            ("_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns", "Observation"),
        })
        {
            var found = await (await client.GetAsync($"/fhir/{type}?{query}")).ReadAsync<Bundle>();
            Assert.True(found.Total == 1, $"{type}?{query} found {found.Total}");
        }
    }

    public void Dispose() => gateway.Dispose();
}
