using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Fhir;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using HealthDataSpace.Storage.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>
/// The dataset export end to end on the 20 Synthea patients, into Azurite: one patient opts out before the export,
/// the dataset is checked against the source files (only consenting patients, no direct identifier anywhere, every
/// NDJSON line valid FHIR, Parquet readable with the manifest's row counts, every SHA-256 right, k-anonymity holding
/// on the released patients), then a delivered patient opts out and the withdrawal line reaches the partner's container.
/// Pseudonyms are computed here from the configured master key, independently of the export.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DatasetExportTests : IAsyncLifetime, IDisposable
{
    private const string Project = "synthea-export";
    private const string Researcher = "5e5e0000-0000-4000-8000-0000000000e1";
    private static readonly string MasterKey = PseudonymDomain.GenerateMasterKey();
    private readonly TestIdentityProvider identity = new();
    private readonly AzuriteServer azurite;
    private readonly GatewayFactory gateway;
    private readonly Dictionary<string, string> patientByFile = new(StringComparer.Ordinal);
    private string permitId = string.Empty;

    public DatasetExportTests(AzuriteServer azurite)
    {
        this.azurite = azurite;
        gateway = new GatewayFactory(identity)
            .WithSetting("Consent:Defaults:HRESCH", "OptOut")
            .WithSetting("Privacy:MasterKey", MasterKey)
            .WithSetting("Privacy:KAnonymity:K", "2")
            .WithSetting("Blob:Provider", "AzureBlob")
            .WithSetting("ConnectionStrings:Blob", azurite.ConnectionString);
    }

    private HttpClient Steward => gateway.CreateClientFor(GatewayRoles.Steward, "steward-export");

    private HttpClient Researcher1 => gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: Researcher));

    public async Task InitializeAsync()
    {
        var hospital = gateway.CreateClientFor(GatewayRoles.Hospital, "hospital-export");
        foreach (var file in SyntheaData.PatientFiles)
        {
            var response = await hospital.PostAsync(new Uri("/fhir", UriKind.Relative), FhirClient.Body(File.ReadAllText(file)));
            response.EnsureSuccessStatusCode();
            var result = await response.ReadAsync<Bundle>();
            patientByFile[file] = result.Entry.Select(e => e.Response.Location).First(l => l.StartsWith("Patient/", StringComparison.Ordinal)).Split('/')[1];
        }

        permitId = await CreatePermitAsync(["aggregate", "dataset"]);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        gateway.Dispose();
        identity.Dispose();
    }

    private async Task<string> CreatePermitAsync(string[] outputs, string recipient = "Organization/ai-partner")
    {
        var permit = await Steward.PostAsJsonAsync("/steward/permits", new
        {
            project = Project, title = "Synthea federated learning", recipient, researchers = new[] { Researcher },
            purpose = "HRESCH", resourceTypes = new[] { "Patient", "Condition", "Observation", "MedicationRequest", "Encounter" },
            validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z", outputs,
        });
        permit.EnsureSuccessStatusCode();
        return (await permit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static string PseudonymOf(string patientId) => PseudonymDomain.ForProject(MasterKey, Project).PseudonymizeId("Patient", patientId);

    private async Task<JsonElement> ExportAsync(string permit)
    {
        var started = await Researcher1.PostAsync(new Uri($"/research/permits/{permit}/$export", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Content.Headers.ContentLocation ?? started.Headers.Location;
        Assert.NotNull(location);
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var status = await Researcher1.GetAsync(location);
            if (status.StatusCode == HttpStatusCode.OK)
            {
                return await status.Content.ReadFromJsonAsync<JsonElement>();
            }

            Assert.Equal(HttpStatusCode.Accepted, status.StatusCode);
            Assert.True(status.Headers.Contains("X-Progress"));
            await Task.Delay(200);
        }

        throw new TimeoutException("The export did not complete.");
    }

    private BlobContainerClient Container(JsonElement manifest) =>
        new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(manifest.GetProperty("container").GetString());

    private static async Task<byte[]> DownloadAsync(BlobContainerClient container, string path) =>
        (await container.GetBlobClient(path).DownloadContentAsync()).Value.Content.ToArray();

    /// <summary>Names, identifier values, address lines and phone numbers of every Synthea patient, read from the files.</summary>
    private static HashSet<string> DirectIdentifiers()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in SyntheaData.PatientFiles)
        {
            var bundle = new FhirJsonDeserializer().Deserialize<Bundle>(File.ReadAllText(file));
            foreach (var patient in bundle.Entry.Select(e => e.Resource).OfType<Patient>())
            {
                values.UnionWith(patient.Name.SelectMany(n => n.Given.Append(n.Family)).OfType<string>().Where(v => v.Length > 3));
                values.UnionWith(patient.Identifier.Select(i => i.Value).OfType<string>().Where(v => v.Length > 3));
                values.UnionWith(patient.Address.SelectMany(a => a.Line).OfType<string>().Where(v => v.Length > 3));
                values.UnionWith(patient.Telecom.Select(t => t.Value).OfType<string>().Where(v => v.Length > 3));
            }
        }

        return values;
    }

    [Fact]
    public async Task Export_SyntheaIntoAzurite_OnlyConsentingPseudonymisedValidDataset_ThenWithdrawalReachesPartner()
    {
        var files = SyntheaData.PatientFiles.ToList();
        var optedOutBefore = patientByFile[files[0]];
        Assert.Equal(201, (int)(await Steward.PostAsync(new Uri($"/steward/consents/{optedOutBefore}/$opt-out?purpose=HRESCH", UriKind.Relative), null)).StatusCode);

        var manifest = await ExportAsync(permitId);
        var container = Container(manifest);
        var folder = manifest.GetProperty("folder").GetString()!;

        // Every listed file is there with the SHA-256 and size the manifest gives.
        var listed = manifest.GetProperty("files").EnumerateArray().ToList();
        Assert.Contains(listed, f => f.GetProperty("path").GetString() == "Patient.ndjson");
        Assert.Contains(listed, f => f.GetProperty("path").GetString() == "tables/observations.parquet");
        Assert.Contains(listed, f => f.GetProperty("path").GetString() == "catalog-entry.jsonld");
        Assert.DoesNotContain(listed, f => f.GetProperty("path").GetString() == "manifest.json");
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in listed)
        {
            var path = file.GetProperty("path").GetString()!;
            contents[path] = await DownloadAsync(container, $"{folder}/{path}");
            Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(contents[path])));
            Assert.Equal(file.GetProperty("bytes").GetInt64(), contents[path].LongLength);
        }

        var stored = JsonDocument.Parse(await DownloadAsync(container, $"{folder}/manifest.json")).RootElement;
        Assert.Equal(manifest.GetProperty("datasetId").GetString(), stored.GetProperty("datasetId").GetString());
        Assert.Equal(listed.Count, stored.GetProperty("files").GetArrayLength());

        // NDJSON: every line is valid FHIR (strict parser), counts match the manifest's output entries.
        var parser = new FhirJsonDeserializer();
        foreach (var output in manifest.GetProperty("output").EnumerateArray())
        {
            var type = output.GetProperty("type").GetString()!;
            var lines = Encoding.UTF8.GetString(contents[$"{type}.ndjson"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(output.GetProperty("count").GetInt64(), lines.Length);
            Assert.All(lines, line => Assert.Equal(type, parser.Deserialize<Resource>(line).TypeName));
        }

        // Only consenting patients: the released Patient ids are pseudonyms of patients other than the one who opted out.
        var released = Encoding.UTF8.GetString(contents["Patient.ndjson"]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => parser.Deserialize<Patient>(l)).ToList();
        var expectedPseudonyms = patientByFile.Values.Where(p => p != optedOutBefore).ToDictionary(PseudonymOf, p => p, StringComparer.Ordinal);
        Assert.NotEmpty(released);
        Assert.All(released, p => Assert.True(expectedPseudonyms.ContainsKey(p.Id), "a released patient is not a consenting Synthea patient"));
        Assert.DoesNotContain(PseudonymOf(optedOutBefore), released.Select(p => p.Id));
        Assert.Equal(released.Count + manifest.GetProperty("suppressedCount").GetInt32(), patientByFile.Count - 1);

        // k-anonymity holds on what was released: classes of (birth-year band, gender, postal region) have at least k members.
        var k = manifest.GetProperty("k").GetInt32();
        var classes = released.GroupBy(p => (p.BirthDate, p.Gender, p.Address.FirstOrDefault()?.PostalCode));
        Assert.All(classes, c => Assert.True(c.Count() >= k, $"a released class has {c.Count()} < k = {k} patients"));

        // No direct identifier of any Synthea patient anywhere in the dataset, NDJSON or Parquet (all values read back).
        var identifiers = DirectIdentifiers();
        var text = new StringBuilder();
        foreach (var (path, bytes) in contents)
        {
            text.Append(path.EndsWith(".parquet", StringComparison.Ordinal) ? await ParquetTextAsync(bytes, manifest, path) : Encoding.UTF8.GetString(bytes));
        }

        var all = text.ToString();
        Assert.DoesNotContain(identifiers, all.Contains);
        Assert.DoesNotContain(patientByFile.Values, all.Contains);

        // The catalogue lists the dataset with its numbers.
        var catalog = await (await Researcher1.GetAsync(new Uri("/research/catalog", UriKind.Relative))).Content.ReadFromJsonAsync<JsonElement>();
        var entry = catalog.GetProperty("dcat:dataset").EnumerateArray().Single(d => d.GetProperty("dct:identifier").GetString() == manifest.GetProperty("datasetId").GetString());
        Assert.Equal(released.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            entry.GetProperty("healthdcatap:numberOfUniqueIndividuals").GetProperty("@value").GetString());

        // A delivered patient opts out: the partner's withdrawals.ndjson gets that dataset's pseudonym, the job shows it.
        var leaving = expectedPseudonyms[released[0].Id];
        Assert.Equal(201, (int)(await Steward.PostAsync(new Uri($"/steward/consents/{leaving}/$opt-out?purpose=HRESCH", UriKind.Relative), null)).StatusCode);
        var withdrawals = await WaitForWithdrawalsAsync(container, $"{folder}/withdrawals.ndjson");
        var line = JsonDocument.Parse(withdrawals.Single()).RootElement;
        Assert.Equal(released[0].Id, line.GetProperty("id").GetString());
        Assert.Equal(manifest.GetProperty("datasetId").GetString(), line.GetProperty("datasetId").GetString());
        Assert.Equal(manifest.GetProperty("withdrawals").GetProperty("url").GetString(), container.GetBlobClient($"{folder}/withdrawals.ndjson").Uri.ToString());
    }

    private static async Task<List<string>> WaitForWithdrawalsAsync(BlobContainerClient container, string path)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            // The append blob is created, then appended to: it can exist for a moment with no line in it yet.
            var blob = container.GetBlobClient(path);
            if (await blob.ExistsAsync()
                && Encoding.UTF8.GetString(await DownloadAsync(container, path)).Split('\n', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } lines)
            {
                return [.. lines];
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("No withdrawal notice reached the container.");
    }

    /// <summary>Every text value of the table (Parquet.Net), after checking its row count against the manifest.</summary>
    private static async Task<string> ParquetTextAsync(byte[] bytes, JsonElement manifest, string path)
    {
        var table = Path.GetFileNameWithoutExtension(path);
        var expectedRows = manifest.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("type").GetString() == table).GetProperty("count").GetInt64();
        using var stream = new MemoryStream(bytes);
        var columns = await ParquetColumns.ReadTextAsync(stream);
        Assert.NotEmpty(columns);
        Assert.All(columns.Values, values => Assert.Equal(expectedRows, values.Count));
        return string.Join('\n', columns.Values.SelectMany(v => v));
    }

    [Fact]
    public async Task Export_PermitWithoutDatasetOutput_Forbidden_OtherResearcherSeesNoJob()
    {
        var aggregateOnly = await CreatePermitAsync(["aggregate"]);
        var refused = await Researcher1.PostAsync(new Uri($"/research/permits/{aggregateOnly}/$export", UriKind.Relative), null);
        var stranger = gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: "someone-else"));
        var notNamed = await stranger.PostAsync(new Uri($"/research/permits/{permitId}/$export", UriKind.Relative), null);
        var started = await Researcher1.PostAsync(new Uri($"/research/permits/{permitId}/$export", UriKind.Relative), null);
        var location = started.Content.Headers.ContentLocation!;
        var peek = await stranger.GetAsync(location);
        var hospital = await gateway.CreateClientFor(GatewayRoles.Hospital, "h").PostAsync(new Uri($"/research/permits/{permitId}/$export", UriKind.Relative), null);
        var strangerCatalog = await (await stranger.GetAsync(new Uri("/research/catalog", UriKind.Relative))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("output 'dataset'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, notNamed.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, peek.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, hospital.StatusCode);
        Assert.Empty(strangerCatalog.GetProperty("dcat:dataset").EnumerateArray());
    }

    [Fact]
    public async Task Cancel_FinishedJob_Conflict_UnknownJob_NotFound()
    {
        var started = await Researcher1.PostAsync(new Uri($"/research/permits/{permitId}/$export", UriKind.Relative), null);
        var location = started.Content.Headers.ContentLocation!;
        while ((await Researcher1.GetAsync(location)).StatusCode == HttpStatusCode.Accepted)
        {
            await Task.Delay(200);
        }

        var cancel = await Researcher1.DeleteAsync(location);
        var unknown = await Researcher1.DeleteAsync(new Uri("/research/exports/no-such-job", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Equal("application/problem+json", cancel.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
