using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>
/// Cohort counts on the 20 Synthea patients, in an opt-out region (every patient counts unless they object): the count
/// for a condition equals the number of patients whose bundle really has it (read independently from the files), an
/// opt-out removes the patient from the very next count, small counts and strata are suppressed, and nothing but
/// numbers comes back.
/// </summary>
public sealed class CohortCountTests : IClassFixture<CohortCountTests.SyntheaGateway>
{
    private const string Sinusitis = "http://snomed.info/sct|444814009";
    private const string Rare = "http://snomed.info/sct|40055000";
    private readonly SyntheaGateway data;

    public CohortCountTests(SyntheaGateway data) => this.data = data;

    /// <summary>One gateway for the class: Synthea loaded once, a permit approved for one researcher.</summary>
    public sealed class SyntheaGateway : IAsyncLifetime, IDisposable
    {
        public const string Researcher = "5e5e0000-0000-4000-8000-0000000000c1";
        private readonly TestIdentityProvider identity = new();

        public TestIdentityProvider Identity => identity;

        public GatewayFactory Gateway { get; private set; } = null!;

        public Dictionary<string, string> PatientByFile { get; } = new(StringComparer.Ordinal);

        public string PermitId { get; private set; } = string.Empty;

        public HttpClient Steward => Gateway.CreateClientFor(GatewayRoles.Steward, "steward-cohorts");

        public HttpClient Researcher1 => Gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: Researcher));

        public HttpClient OtherResearcher => Gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: "other"));

        public async Task InitializeAsync()
        {
            Gateway = new GatewayFactory(identity)
                .WithSetting("Consent:Defaults:HRESCH", "OptOut")
                .WithSetting("Research:MinCellCount", "5");
            var hospital = Gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-synthea");
            foreach (var file in SyntheaData.PatientFiles)
            {
                var response = await hospital.PostAsync(new Uri("/fhir", UriKind.Relative), FhirClient.Body(File.ReadAllText(file)));
                response.EnsureSuccessStatusCode();
                var result = await response.ReadAsync<Bundle>();
                PatientByFile[file] = result.Entry.Select(e => e.Response.Location).First(l => l.StartsWith("Patient/", StringComparison.Ordinal)).Split('/')[1];
            }

            var permit = await Steward.PostAsJsonAsync("/steward/permits", new
            {
                project = "synthea-cohorts", title = "Sinusitis", recipient = "Organization/uni", researchers = new[] { Researcher },
                purpose = "HRESCH", resourceTypes = new[] { "Patient", "Condition", "Observation" },
                validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z", outputs = new[] { "aggregate" },
            });
            permit.EnsureSuccessStatusCode();
            PermitId = (await permit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose()
        {
            Gateway.Dispose();
            identity.Dispose();
        }
    }

    /// <summary>Files whose bundle has a Condition with the code, read straight from the JSON (not through the gateway).</summary>
    private static List<string> FilesWithCondition(string code)
    {
        var (system, value) = (code.Split('|')[0], code.Split('|')[1]);
        return SyntheaData.PatientFiles.Where(file =>
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            return json.RootElement.GetProperty("entry").EnumerateArray()
                .Select(e => e.GetProperty("resource"))
                .Where(r => r.GetProperty("resourceType").GetString() == "Condition")
                .SelectMany(r => r.GetProperty("code").GetProperty("coding").EnumerateArray())
                .Any(c => c.GetProperty("system").GetString() == system && c.GetProperty("code").GetString() == value);
        }).ToList();
    }

    private async Task<JsonElement> CountAsync(object criteria, string[]? stratify = null, HttpClient? client = null)
    {
        var response = await (client ?? data.Researcher1).PostAsJsonAsync("/research/cohorts/$count",
            new { permit = data.PermitId, criteria, stratify });
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Count_Condition_MatchesPatientsThatHaveIt_AndOptOutRemovesOne()
    {
        var files = FilesWithCondition(Sinusitis);
        Assert.True(files.Count >= 7, "the fixture needs a condition common enough to stay above the threshold after an opt-out");

        var before = await CountAsync(new { condition = new { code = Sinusitis } });
        var optOut = await data.Steward.PostAsync(new Uri($"/steward/consents/{data.PatientByFile[files[0]]}/$opt-out?purpose=HRESCH", UriKind.Relative), null);
        var after = await CountAsync(new { condition = new { code = Sinusitis } });

        Assert.Equal(files.Count, before.GetProperty("count").GetInt32());
        Assert.False(before.GetProperty("suppressed").GetBoolean());
        Assert.Equal(5, before.GetProperty("threshold").GetInt32());
        Assert.Equal(201, (int)optOut.StatusCode);
        Assert.Equal(files.Count - 1, after.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Count_RareCondition_Suppressed()
    {
        var files = FilesWithCondition(Rare);
        Assert.InRange(files.Count, 1, 4);

        var result = await CountAsync(new { condition = new { code = Rare } }, ["ageBand", "gender"]);

        Assert.Equal(JsonValueKind.Null, result.GetProperty("count").ValueKind);
        Assert.True(result.GetProperty("suppressed").GetBoolean());
        // Not even which strata exist: that would give the small group's age band and gender.
        Assert.Equal(0, result.GetProperty("strata").GetArrayLength());
    }

    [Fact]
    public async Task Count_NotAndGender_AddUpToAllPatients()
    {
        var female = await CountAsync(new { gender = "female" });
        var notFemale = await CountAsync(new { not = new { gender = "female" } });
        var everyone = await CountAsync(new { any = new object[] { new { gender = "female" }, new { not = new { gender = "female" } } } });
        var expectedFemale = SyntheaData.PatientFiles.Count(file =>
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            return json.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource"))
                .Any(r => r.GetProperty("resourceType").GetString() == "Patient" && r.GetProperty("gender").GetString() == "female");
        });

        Assert.Equal(everyone.GetProperty("count").GetInt32(), female.GetProperty("count").GetInt32() + notFemale.GetProperty("count").GetInt32());
        Assert.Equal(expectedFemale, female.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Count_Strata_NoShownCellBelowThreshold_AndSuppressedCellsNotRecoverable()
    {
        var result = await CountAsync(new { age = new { ge = 0 } }, ["ageBand", "gender"]);

        var total = result.GetProperty("count").GetInt32();
        var strata = result.GetProperty("strata").EnumerateArray().ToList();
        var shown = strata.Where(s => !s.GetProperty("suppressed").GetBoolean()).Select(s => s.GetProperty("count").GetInt32()).ToList();
        var hidden = total - shown.Sum();

        Assert.NotEmpty(strata);
        Assert.All(shown, c => Assert.True(c == 0 || c >= 5));
        Assert.All(strata.Where(s => s.GetProperty("suppressed").GetBoolean()), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("count").ValueKind));
        Assert.True(hidden == 0 || hidden >= 5, $"the suppressed cells together hold {hidden} patients, which total minus the rest reveals");
        Assert.All(strata, s => Assert.Equal(["ageBand", "count", "gender", "suppressed"], s.EnumerateObject().Select(p => p.Name).Order()));
    }

    [Fact]
    public async Task Count_ResponseCarriesNoIdentifier()
    {
        var raw = await (await data.Researcher1.PostAsJsonAsync("/research/cohorts/$count",
            new { permit = data.PermitId, criteria = new { condition = new { code = Sinusitis } }, stratify = new[] { "gender" } })).Content.ReadAsStringAsync();

        Assert.DoesNotContain(data.PatientByFile.Values, raw.Contains);
        Assert.DoesNotContain("Patient/", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"permit":"{permit}","criteria":{"condition":{"code":"x"},"age":{"ge":1}}}""", 400)]
    [InlineData("""{"permit":"{permit}","criteria":{"condition":{"cod":"x"}}}""", 400)]
    [InlineData("""{"permit":"{permit}","criteria":{"medication":{"code":"x"}}}""", 403)]
    [InlineData("""{"permit":"{permit}","criteria":{"gender":"female"},"stratify":["zip"]}""", 400)]
    [InlineData("""{"permit":"no-such-permit","criteria":{"gender":"female"}}""", 403)]
    [InlineData("""{"criteria":{"gender":"female"}}""", 400)]
    [InlineData("""{"permit":"{permit}","criteria":{"telemetry":{"type":"heart-rate","aggregate":"median","gt":1,"window":"P30D"}}}""", 400)]
    public async Task Count_BadRequest_4xxProblemDetails(string body, int status)
    {
        var response = await data.Researcher1.PostAsync(new Uri("/research/cohorts/$count", UriKind.Relative),
            new StringContent(body.Replace("{permit}", data.PermitId, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(status);
    }

    [Fact]
    public async Task Count_ResearcherNotOnPermit_403AndAudited()
    {
        var response = await data.OtherResearcher.PostAsJsonAsync("/research/cohorts/$count", new { permit = data.PermitId, criteria = new { gender = "female" } });
        var audits = await (await data.Steward.GetAsync($"/fhir/AuditEvent?entity:identifier=urn:healthdataspace:permit|{data.PermitId}&outcome=4")).ReadAsync<Bundle>();

        await response.AssertProblemAsync(403);
        Assert.Contains(audits.Entry, e => ((AuditEvent)e.Resource).Agent.Any(a => a.Who.Identifier?.Value == "other"));
    }
}
