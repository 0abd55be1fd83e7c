using System.Net;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Fhir;

/// <summary>The RESTful interactions over real HTTP with real tokens: headers, versions, tenancy.</summary>
[Collection(GatewayTestGroup.Name)]
public sealed class FhirRestTests(GatewayFixture fixture)
{
    private readonly HttpClient hospitalA = fixture.Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-a");
    private readonly HttpClient hospitalB = fixture.Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-b");
    private readonly HttpClient steward = fixture.Gateway.CreateClientFor(GatewayRoles.Steward, "steward-console");

    [Fact]
    public async Task Create_Patient_201WithLocationETagAndLastModified()
    {
        var response = await hospitalA.PostAsync("/fhir/Patient", FhirClient.Patient("Popescu", "RO-1"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("W/\"1\"", response.ETag());
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Matches("^http://localhost/fhir/Patient/[A-Za-z0-9-]+/_history/1$", response.Headers.Location!.ToString());
        var created = await response.ReadAsync<Patient>();
        Assert.Equal("Popescu", created.Name[0].Family);
    }

    [Fact]
    public async Task ReadUpdateHistoryDelete_FullLifecycle()
    {
        var created = await (await hospitalA.PostAsync("/fhir/Patient", FhirClient.Patient("Dimitrova", "BG-1"))).ReadAsync<Patient>();
        created.Name[0].Family = "Dimitrova-Ivanova";

        var update = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Put, $"/fhir/Patient/{created.Id}", created, ("If-Match", "W/\"1\"")));
        var read = await hospitalA.GetAsync($"/fhir/Patient/{created.Id}");
        var notModified = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Get, $"/fhir/Patient/{created.Id}", null, ("If-None-Match", "W/\"2\"")));
        var version1 = await (await hospitalA.GetAsync($"/fhir/Patient/{created.Id}/_history/1")).ReadAsync<Patient>();
        var history = await (await hospitalA.GetAsync($"/fhir/Patient/{created.Id}/_history")).ReadAsync<Bundle>();
        var delete = await hospitalA.DeleteAsync(new Uri($"/fhir/Patient/{created.Id}", UriKind.Relative));
        var gone = await hospitalA.GetAsync($"/fhir/Patient/{created.Id}");

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("W/\"2\"", read.ETag());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("Dimitrova", version1.Name[0].Family);
        Assert.Equal(Bundle.BundleType.History, history.Type);
        Assert.Equal(2, history.Total);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await gone.AssertOutcomeAsync(410);
    }

    [Fact]
    public async Task Update_StaleIfMatch_412()
    {
        var created = await (await hospitalA.PostAsync("/fhir/Patient", FhirClient.Patient("Kyriakou", "CY-1"))).ReadAsync<Patient>();

        var stale = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Put, $"/fhir/Patient/{created.Id}", created, ("If-Match", "W/\"7\"")));

        await stale.AssertOutcomeAsync(412);
    }

    [Fact]
    public async Task Create_IfNoneExistHeader_SecondCallReturnsExisting200()
    {
        var patient = FhirClient.Patient("Nikolaidis", "GR-INE-1");
        var first = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Post, "/fhir/Patient", patient, ("If-None-Exist", "identifier=urn:oid:1.2.642.1|GR-INE-1")));
        var second = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Post, "/fhir/Patient", patient, ("If-None-Exist", "identifier=urn:oid:1.2.642.1|GR-INE-1")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
    }

    [Fact]
    public async Task ConditionalUpdate_ByIdentifier_CreatesThenUpdates()
    {
        var patient = FhirClient.Patient("Andreou", "CY-CU-1");
        var url = "/fhir/Patient?identifier=urn:oid:1.2.642.1|CY-CU-1";

        var created = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Put, url, patient));
        patient.Name[0].Family = "Andreou-Pavlou";
        var updated = await hospitalA.SendAsync(FhirClient.Request(HttpMethod.Put, url, patient));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("W/\"2\"", updated.ETag());
    }

    [Fact]
    public async Task Tenancy_OtherHospitalGets404AndEmptySearch_StewardSeesIt()
    {
        var created = await (await hospitalA.PostAsync("/fhir/Patient", FhirClient.Patient("Tenancy", "T-1"))).ReadAsync<Patient>();

        var otherRead = await hospitalB.GetAsync($"/fhir/Patient/{created.Id}");
        var otherSearch = await (await hospitalB.GetAsync("/fhir/Patient?identifier=T-1")).ReadAsync<Bundle>();
        var stewardRead = await steward.GetAsync($"/fhir/Patient/{created.Id}");

        await otherRead.AssertOutcomeAsync(404);
        Assert.Equal(0, otherSearch.Total);
        Assert.Equal(HttpStatusCode.OK, stewardRead.StatusCode);
    }

    [Theory]
    [InlineData(GatewayRoles.Researcher)]
    [InlineData(GatewayRoles.Device)]
    public async Task AnyFhirRoute_RoleWithoutFhirAccess_403OperationOutcome(string role)
    {
        var client = fixture.Gateway.CreateClientFor(role, "some-client");

        var search = await client.GetAsync("/fhir/Patient");
        var create = await client.PostAsync("/fhir/Patient", FhirClient.Patient("X", "X-1"));

        await search.AssertOutcomeAsync(403);
        await create.AssertOutcomeAsync(403);
    }

    [Fact]
    public async Task Metadata_Anonymous_DescribesSupportedSearchParameters()
    {
        using var anonymous = fixture.Gateway.CreateClient();

        var response = await anonymous.GetAsync("/fhir/metadata");
        var statement = await response.ReadAsync<CapabilityStatement>();
        var patient = statement.Rest[0].Resource.Single(r => r.Type == "Patient");
        var observation = statement.Rest[0].Resource.Single(r => r.Type == "Observation");

        Assert.Equal(FHIRVersion.N4_0_1, statement.FhirVersion);
        foreach (var name in new[] { "identifier", "name", "family", "given", "birthdate", "gender", "_id", "_lastUpdated" })
        {
            Assert.Contains(patient.SearchParam, p => p.Name == name);
        }

        foreach (var name in new[] { "subject", "patient", "code", "category", "date" })
        {
            Assert.Contains(observation.SearchParam, p => p.Name == name);
        }

        Assert.DoesNotContain(observation.SearchParam, p => p.Type == SearchParamType.Composite);
        Assert.Contains(statement.Rest[0].Interaction, i => i.Code == CapabilityStatement.SystemRestfulInteraction.Transaction);
    }

    [Fact]
    public async Task Search_FollowingNextLinks_VisitsEveryMatchOnce()
    {
        for (var i = 0; i < 5; i++)
        {
            await hospitalA.PostAsync("/fhir/Patient", FhirClient.Patient("Pagination", $"PG-{i}"));
        }

        var ids = new List<string>();
        var page = await (await hospitalA.GetAsync("/fhir/Patient?family=pagination&_count=2")).ReadAsync<Bundle>();
        ids.AddRange(page.Entry.Select(e => e.Resource!.Id!));
        while (page.Link.FirstOrDefault(l => l.Relation == "next") is { } next)
        {
            page = await (await hospitalA.GetAsync(new Uri(next.Url).PathAndQuery)).ReadAsync<Bundle>();
            ids.AddRange(page.Entry.Select(e => e.Resource!.Id!));
        }

        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(5, ids.Count);
    }

    [Fact]
    public async Task SearchByPost_FormParameters_SameAnswerAsGet()
    {
        await hospitalA.PostAsync("/fhir/Patient", FhirClient.Patient("Formsearch", "FS-1"));

        var viaPost = await hospitalA.PostAsync(new Uri("/fhir/Patient/_search", UriKind.Relative),
            new FormUrlEncodedContent([new("family", "formsearch")]));
        var bundle = await viaPost.ReadAsync<Bundle>();

        Assert.Equal(1, bundle.Total);
    }

    [Fact]
    public async Task Health_Anonymous_Healthy()
    {
        using var anonymous = fixture.Gateway.CreateClient();

        var response = await anonymous.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
