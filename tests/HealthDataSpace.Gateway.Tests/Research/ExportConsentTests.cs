using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Features.Privacy;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>
/// Consent decides each exported resource, not only each patient: a research consent that denies data recorded in
/// 2020 and data labelled psychiatry keeps exactly those resources out (and counts them), an opted-out patient is
/// absent entirely, and a cancelled export leaves nothing in the partner's folder. Local blob folder.
/// </summary>
public sealed class ExportConsentTests : IAsyncLifetime, IDisposable
{
    private const string Researcher = "5e5e0000-0000-4000-8000-0000000000e2";
    private const string Partner = "Organization/partner";
    private readonly TestIdentityProvider identity = new();
    private readonly GatewayFactory gateway;
    private readonly List<string> patients = [];
    private string permitId = string.Empty;

    public ExportConsentTests() => gateway = new GatewayFactory(identity)
        .WithSetting("Consent:Defaults:HRESCH", "OptOut")
        .WithSetting("Privacy:KAnonymity:K", "2");

    private HttpClient Hospital => gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-consent-export");

    private HttpClient Steward => gateway.CreateClientFor(GatewayRoles.Steward, "steward-consent-export");

    public async Task InitializeAsync()
    {
        var put = await Hospital.SendAsync(FhirClient.Request(HttpMethod.Put, "/fhir/Organization/partner", new Organization { Id = "partner", Name = "AI partner" }));
        put.EnsureSuccessStatusCode();
        for (var i = 0; i < 6; i++)
        {
            var id = await ConsentHttp.CreatePatientAsync(Hospital, "Family" + i, "MRN-" + i);
            patients.Add(id);
            await AddConditionAsync(id, "2019-05-01", null);
        }

        var permit = await Steward.PostAsJsonAsync("/steward/permits", new
        {
            project = "consent-export", title = "Per-resource consent", recipient = Partner, researchers = new[] { Researcher },
            purpose = "HRESCH", resourceTypes = new[] { "Patient", "Condition", "Observation" },
            validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z", outputs = new[] { "dataset" },
        });
        permit.EnsureSuccessStatusCode();
        permitId = (await permit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        gateway.Dispose();
        identity.Dispose();
    }

    private async Task AddConditionAsync(string patient, string recorded, string? securityLabel)
    {
        var condition = new Condition
        {
            Subject = new ResourceReference("Patient/" + patient),
            Code = new CodeableConcept("http://snomed.info/sct", "444814009"),
            RecordedDate = recorded,
        };
        if (securityLabel is not null)
        {
            condition.Meta = new Meta { Security = [new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", securityLabel)] };
        }

        Assert.Equal(HttpStatusCode.Created, (await Hospital.PostAsync("/fhir/Condition", condition)).StatusCode);
    }

    private async Task<JsonElement> ExportAsync()
    {
        var researcher = gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: Researcher));
        var started = await researcher.PostAsync(new Uri($"/research/permits/{permitId}/$export", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var status = await researcher.GetAsync(started.Content.Headers.ContentLocation!);
            if (status.StatusCode == HttpStatusCode.OK)
            {
                return await status.Content.ReadFromJsonAsync<JsonElement>();
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The export did not complete.");
    }

    [Fact]
    public async Task Export_ConsentDeniesSomeResources_ThoseAloneLeftOutAndCounted_OptedOutPatientAbsent()
    {
        // Patient 0: research consent for the partner; it denies data recorded in 2020 and psychiatry-labelled data.
        await ConsentHttp.PostConsentAsync(Hospital, ConsentFixtures.Research("Patient/" + patients[0], study: Partner));
        await AddConditionAsync(patients[0], "2020-06-01", null);
        await AddConditionAsync(patients[0], "2021-03-01", "PSY");
        await AddConditionAsync(patients[0], "2022-03-01", null);
        // Patient 1 opts out of research.
        Assert.Equal(201, (int)(await Steward.PostAsync(new Uri($"/steward/consents/{patients[1]}/$opt-out?purpose=HRESCH", UriKind.Relative), null)).StatusCode);

        var manifest = await ExportAsync();

        var domain = PseudonymDomain.ForProject(gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PrivacyOptions>>().Value.MasterKey!, "consent-export");
        var conditions = (await File.ReadAllLinesAsync(manifest.GetProperty("output").EnumerateArray()
                .Single(o => o.GetProperty("type").GetString() == "Condition").GetProperty("url").GetString()!))
            .Select(l => new FhirJsonDeserializer().Deserialize<Condition>(l)).ToList();
        var byPatient = conditions.GroupBy(c => c.Subject.Reference ?? string.Empty).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        // Patient 0 keeps the 2019 and 2022 conditions; the 2020 one and the PSY one are out. Patient 1 has nothing.
        Assert.Equal(2, byPatient["Patient/" + domain.PseudonymizeId("Patient", patients[0])]);
        Assert.False(byPatient.ContainsKey("Patient/" + domain.PseudonymizeId("Patient", patients[1])));
        Assert.All(patients.Skip(2), p => Assert.Equal(1, byPatient["Patient/" + domain.PseudonymizeId("Patient", p)]));
        Assert.Equal(2, manifest.GetProperty("excludedByConsent").GetInt64());
        Assert.Equal(5, manifest.GetProperty("patients").GetInt64());
    }

    [Fact]
    public async Task Exporter_CancelledMidway_LeavesNoFileBehind()
    {
        var exporter = gateway.Services.GetRequiredService<DatasetExporter>();
        var permits = gateway.Services.GetRequiredService<IPermitStore>();
        var domains = gateway.Services.GetRequiredService<PseudonymDomains>();
        var blobs = gateway.Services.GetRequiredService<IBlobStorage>();
        var permit = (await permits.GetAsync(permitId, CancellationToken.None))!;
        var request = new ExportRequest(permit, "job-cancel", "dataset-cancel", "http://test/export", DateTimeOffset.UtcNow);
        var calls = 0;

        // The progress callback is where the runner learns of a DELETE: cancel once Patient has been written.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exporter.RunAsync(request,
            AnonymizationEngine.Create(AnonymizationPolicy.DefaultResearch, domains.ForProject(permit.Project)),
            (progress, _) => ++calls >= 4 ? throw new OperationCanceledException() : Task.CompletedTask, CancellationToken.None));

        Assert.True(calls >= 4);
        Assert.Empty(await blobs.ListAsync(BlobNames.ContainerFor(Partner), "datasets/dataset-cancel/", CancellationToken.None));
    }
}
