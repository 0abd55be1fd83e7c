using System.Text;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>Every kind of bad input gets the right 4xx with an OperationOutcome, and leaves nothing behind.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class FhirBadInputTests(GatewayFixture fixture)
{
    private readonly HttpClient hospital = fixture.Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-bad-input");

    private async Task<int> CountAsync(string type) =>
        (await (await hospital.GetAsync($"/fhir/{type}?_summary=count")).ReadAsync<Bundle>()).Total ?? -1;

    [Theory]
    [InlineData("/fhir/Patient", "{\"resourceType\": \"Patient\", ", 400)]
    [InlineData("/fhir/Patient", "{\"name\": \"not fhir\"}", 400)]
    [InlineData("/fhir/Patient", "[]", 400)]
    [InlineData("/fhir/Patient", "", 400)]
    [InlineData("/fhir/Patient", "{\"resourceType\": \"Patient\", \"birthDate\": \"Ioana Popescu\"}", 400)]
    [InlineData("/fhir/Patient", "{\"resourceType\": \"Patient\", \"favouriteColour\": \"blue\"}", 400)]
    [InlineData("/fhir/Observation", "{\"resourceType\": \"Patient\", \"gender\": \"male\"}", 400)]
    [InlineData("/fhir/Observation", "{\"resourceType\": \"Observation\", \"status\": \"final\"}", 400)]
    [InlineData("/fhir/Spaceship", "{\"resourceType\": \"Patient\", \"gender\": \"male\"}", 404)]
    [InlineData("/fhir", "{\"resourceType\": \"Patient\", \"gender\": \"male\"}", 400)]
    [InlineData("/fhir", "{\"resourceType\": \"Bundle\", \"type\": \"collection\"}", 400)]
    public async Task Post_BadBody_ClientErrorWithOperationOutcome(string url, string body, int status)
    {
        var before = await CountAsync("Patient");

        var response = await hospital.PostAsync(url, body);

        await response.AssertOutcomeAsync(status);
        Assert.Equal(before, await CountAsync("Patient"));
    }

    [Fact]
    public async Task Post_InvalidValue_ErrorDoesNotEchoTheValue()
    {
        var response = await hospital.PostAsync("/fhir/Patient", "{\"resourceType\": \"Patient\", \"birthDate\": \"Ioana Popescu\"}");

        var text = await response.AssertOutcomeAsync(400);
        Assert.Contains("Patient.birthDate", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Popescu", text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Gateway.Logs.Messages, m => m.Contains("Popescu", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_XmlContentType_415()
    {
        var response = await hospital.PostAsync(new Uri("/fhir/Patient", UriKind.Relative),
            new StringContent("<Patient xmlns=\"http://hl7.org/fhir\"/>", Encoding.UTF8, "application/fhir+xml"));

        await response.AssertOutcomeAsync(415);
    }

    [Fact]
    public async Task Transaction_UnresolvableReference_422AndNothingWritten()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = "urn:uuid:5b1f4c36-0000-4000-8000-00000000aaaa",
            Resource = FhirClient.Patient("Rollback", "RB-1"),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" },
        });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = new Observation
            {
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("http://loinc.org", "8867-4"),
                Subject = new ResourceReference("urn:uuid:00000000-0000-4000-8000-00000000dead"),
            },
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
        });
        var patientsBefore = await CountAsync("Patient");

        var response = await hospital.PostAsync("/fhir", bundle);

        var text = await response.AssertOutcomeAsync(422);
        Assert.Contains("entry 1", text, StringComparison.Ordinal);
        Assert.Equal(patientsBefore, await CountAsync("Patient"));
    }

    [Theory]
    [InlineData("/fhir/Patient?nonsense=1", 400)]
    [InlineData("/fhir/Patient?birthdate=last-tuesday", 400)]
    [InlineData("/fhir/Patient?_count=many", 400)]
    [InlineData("/fhir/Patient?_format=xml", 406)]
    [InlineData("/fhir/Patient/abc/_history/notanumber", 404)]
    [InlineData("/fhir/Patient/does-not-exist", 404)]
    [InlineData("/fhir/Nonsense?name=x", 404)]
    public async Task Get_BadRequests_ClientErrorWithOperationOutcome(string url, int status)
    {
        var response = await hospital.GetAsync(url);

        await response.AssertOutcomeAsync(status);
    }

    [Fact]
    public async Task Put_IdMismatch_400()
    {
        var patient = FhirClient.Patient("Mismatch", "MM-1");
        patient.Id = "one-id";

        var response = await hospital.SendAsync(FhirClient.Request(HttpMethod.Put, "/fhir/Patient/another-id", patient));

        await response.AssertOutcomeAsync(400);
    }

    [Fact]
    public async Task Put_MalformedIfMatch_400()
    {
        var patient = FhirClient.Patient("Etag", "ET-1");
        patient.Id = "etag-patient";

        var response = await hospital.SendAsync(FhirClient.Request(HttpMethod.Put, "/fhir/Patient/etag-patient", patient, ("If-Match", "yesterday")));

        await response.AssertOutcomeAsync(400);
    }

    [Fact]
    public async Task AnyFhirRoute_NoToken_401OperationOutcome()
    {
        using var anonymous = fixture.Gateway.CreateClient();

        var response = await anonymous.PostAsync("/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}");

        await response.AssertOutcomeAsync(401);
    }

    [Theory]
    [InlineData("PATCH", "/fhir/Patient/some-id", 405)]
    [InlineData("GET", "/fhir/Patient/a/b/c/d", 404)]
    public async Task UnknownInteraction_OperationOutcome(string method, string url, int status)
    {
        var response = await hospital.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative)));

        await response.AssertOutcomeAsync(status);
    }

    [Fact]
    public async Task UnknownNonFhirRoute_ProblemDetails()
    {
        var response = await hospital.GetAsync("/no-such-thing");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
