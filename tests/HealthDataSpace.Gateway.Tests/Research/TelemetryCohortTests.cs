using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Contracts.Telemetry.V1;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Tests.Consent;
using HealthDataSpace.Gateway.Tests.Infrastructure;
using static HealthDataSpace.Gateway.Tests.Telemetry.TelemetryTestClient;

namespace HealthDataSpace.Gateway.Tests.Research;

/// <summary>
/// Telemetry criteria end to end: twelve patients' devices stream heart rate over gRPC (an edge gateway with a Bearer
/// token), and <c>POST /research/cohorts/$count</c> with a telemetry criterion returns the number of patients computed
/// here, independently, from the readings sent; a patient who opts out drops out of the next count.
/// </summary>
public sealed class TelemetryCohortTests : IAsyncLifetime, IDisposable
{
    private const string Researcher = "5e5e0000-0000-4000-8000-0000000000d7";
    private const string EdgeGateway = "edge-cohorts";
    private const int Patients = 12;
    private const int Threshold = 3;

    private readonly TestIdentityProvider identity = new();
    private readonly GatewayFactory gateway;
    private readonly DateTimeOffset now = DateTimeOffset.UtcNow;
    private readonly Dictionary<string, List<(DateTimeOffset Time, double Bpm)>> sent = new(StringComparer.Ordinal);
    private string permit = string.Empty;

    public TelemetryCohortTests()
    {
        gateway = new GatewayFactory(identity)
            .WithSetting("Consent:Defaults:HRESCH", "OptOut")
            .WithSetting("Research:MinCellCount", Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task InitializeAsync()
    {
        var random = new Random(61);
        using var channel = Channel(gateway);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        var token = identity.CreateToken([GatewayRoles.Device], EdgeGateway);
        for (var p = 0; p < Patients; p++)
        {
            var patient = await CreatePatientAsync(gateway);
            var device = await RegisterAsync(gateway, patient, edgeGateway: EdgeGateway);
            var readings = new List<(DateTimeOffset Time, double Bpm)>();
            var resting = 58 + (p * 3);
            // Every fourth patient has only old readings (12-20 days ago); the others also the last three days. No
            // reading falls near a 7-day window's first day, so the count does not depend on the second it is taken.
            IEnumerable<int> hours = p % 4 == 3 ? [] : Enumerable.Range(1, 72).Where(_ => random.Next(3) > 0);
            var old = Enumerable.Range(12 * 24, 8 * 24).Where(_ => random.Next(12) == 0);
            foreach (var hour in hours.Concat(old))
            {
                // Quarter beats: exact in binary, so sums and means here and in the gateway agree to the last bit.
                readings.Add((now.AddHours(-hour), resting + random.Next(-8, 30) + (random.Next(4) * 0.25)));
            }

            var ack = await client.SendAsync(Batch($"b-{p}", [.. readings.Select((r, i) =>
                Measurement(device.DeviceId, $"hr-{i}", "heartrate", r.Bpm, r.Time))]), BearerHeaders(token));
            Assert.Equal(readings.Count, ack.Accepted);
            sent[patient.Split('/')[1]] = readings;
        }

        using var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-telemetry");
        var created = await steward.PostAsJsonAsync("/steward/permits", new
        {
            project = "telemetry-cohorts", title = "Heart rate", recipient = "Organization/uni", researchers = new[] { Researcher },
            purpose = "HRESCH", resourceTypes = new[] { "Patient", "Observation" },
            validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z", outputs = new[] { "aggregate" },
        });
        created.EnsureSuccessStatusCode();
        permit = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        gateway.Dispose();
        identity.Dispose();
    }

    /// <summary>Readings of the patient whose UTC day overlaps [now - days, now], computed here from what was sent.</summary>
    private List<double> InWindow(string patient, int days) =>
        [.. sent[patient].Where(r => r.Time.UtcDateTime.Date >= now.AddDays(-days).UtcDateTime.Date).Select(r => r.Bpm)];

    private async Task<int?> CountAsync(string telemetry)
    {
        using var researcher = gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: Researcher));
        using var response = await researcher.PostAsync(new Uri("/research/cohorts/$count", UriKind.Relative), new StringContent(
            "{\"permit\":\"" + permit + "\",\"criteria\":{\"telemetry\":" + telemetry + "}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(200, (int)response.StatusCode);
        var count = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count");
        return count.ValueKind == JsonValueKind.Null ? null : count.GetInt32();
    }

    /// <summary>Waits until every patient's readings are in the day aggregates (they trail the acks by about a second).</summary>
    private async Task WaitForAllReadingsAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await CountAsync("""{"type":"heart-rate","aggregate":"max","ge":0,"window":"P30D"}""") != Patients)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    [Fact]
    public async Task Count_HeartRateCriteria_MatchReadingsSent_AndOptOutRemovesPatient()
    {
        await WaitForAllReadingsAsync();
        var averages = sent.Keys.Where(p => InWindow(p, 7).Count > 0).ToDictionary(p => p, p => InWindow(p, 7).Average());
        var threshold = averages.Values.Order().ElementAt(averages.Count / 2);
        var expectedAvg = averages.Where(a => a.Value > threshold).Select(a => a.Key).ToList();
        var expectedMax = sent.Keys.Count(p => InWindow(p, 30).Max() >= 100);
        var expectedMin = sent.Keys.Count(p => InWindow(p, 7) is { Count: > 0 } week && week.Min() < 60);
        Assert.InRange(expectedAvg.Count, Threshold, Patients - 3);
        Assert.InRange(expectedMax, Threshold, Patients - 1);
        Assert.InRange(expectedMin, Threshold, Patients - 1);
        var avg = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $$"""{"type":"heart-rate","aggregate":"avg","gt":{{threshold}},"window":"P7D"}""");

        var avgCount = await CountAsync(avg);
        var maxCount = await CountAsync("""{"type":"heart-rate","aggregate":"max","ge":100,"window":"P30D"}""");
        var minCount = await CountAsync("""{"type":"heart-rate","aggregate":"min","lt":60,"window":"P7D"}""");
        var noSpo2 = await CountAsync("""{"type":"spo2","aggregate":"max","ge":0,"window":"P30D"}""");
        using var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-telemetry");
        var optOut = await steward.PostAsync(new Uri($"/steward/consents/{expectedAvg[0]}/$opt-out?purpose=HRESCH", UriKind.Relative), null);
        var afterOptOut = await CountAsync(avg);

        Assert.Equal(expectedAvg.Count, avgCount);
        Assert.Equal(expectedMax, maxCount);
        Assert.Equal(expectedMin, minCount);
        Assert.Equal(0, noSpo2);
        Assert.Equal(201, (int)optOut.StatusCode);
        Assert.Equal(expectedAvg.Count - 1, afterOptOut);
    }

    [Fact]
    public async Task Count_PermitWithoutObservation_403()
    {
        using var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-telemetry");
        var created = await steward.PostAsJsonAsync("/steward/permits", new
        {
            project = "telemetry-cohorts", title = "No observations", recipient = "Organization/uni", researchers = new[] { Researcher },
            purpose = "HRESCH", resourceTypes = new[] { "Patient", "Condition" },
            validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z", outputs = new[] { "aggregate" },
        });
        var other = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var researcher = gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: Researcher));

        var response = await researcher.PostAsJsonAsync("/research/cohorts/$count", new
        {
            permit = other,
            criteria = new { telemetry = new { type = "heart-rate", aggregate = "avg", gt = 50, window = "P7D" } },
        });

        var detail = await response.AssertProblemAsync(403);
        Assert.Contains("Observation", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_DatasetPermit_TelemetryDailyTableHoldsEveryPatientDayOfReadingsSent()
    {
        await WaitForAllReadingsAsync();
        using var steward = gateway.CreateClientFor(GatewayRoles.Steward, "steward-telemetry");
        var created = await steward.PostAsJsonAsync("/steward/permits", new
        {
            project = "telemetry-export", title = "Heart rate dataset", recipient = "Organization/uni", researchers = new[] { Researcher },
            purpose = "HRESCH", resourceTypes = new[] { "Patient", "Observation" },
            validFrom = "2020-01-01T00:00:00Z", validTo = "2099-01-01T00:00:00Z", outputs = new[] { "dataset" },
        });
        var datasetPermit = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var researcher = gateway.CreateClientWithToken(identity.CreateToken([GatewayRoles.Researcher], "portal", subject: Researcher));
        var started = await researcher.PostAsync(new Uri($"/research/permits/{datasetPermit}/$export", UriKind.Relative), null);
        JsonElement manifest = default;
        for (var attempt = 0; attempt < 300 && manifest.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            var status = await researcher.GetAsync(started.Content.Headers.ContentLocation!);
            manifest = status.StatusCode == System.Net.HttpStatusCode.OK ? await status.Content.ReadFromJsonAsync<JsonElement>() : default;
            await Task.Delay(manifest.ValueKind == JsonValueKind.Undefined ? 100 : 0);
        }

        var table = manifest.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "telemetry_daily");
        var rows = await ParquetColumns.ReadAsync(table.GetProperty("url").GetString()!, "type", "code", "count", "min", "max");

        // Per patient and UTC day: (readings, min, max), computed here from what was sent; the table's patients and days
        // are pseudonymised and shifted, so the rows are compared as a multiset.
        var expected = sent.Values.SelectMany(readings => readings.GroupBy(r => r.Time.UtcDateTime.Date)
                .Select(day => $"{day.Count()}|{day.Min(r => r.Bpm)}|{day.Max(r => r.Bpm)}"))
            .Order(StringComparer.Ordinal).ToList();
        var actual = Enumerable.Range(0, rows["count"].Count)
            .Select(i => $"{rows["count"][i]}|{rows["min"][i]}|{rows["max"][i]}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, table.GetProperty("count").GetInt64());
        Assert.Equal(expected, actual);
        Assert.All(rows["type"], t => Assert.Equal("heart-rate", t));
        Assert.All(rows["code"], c => Assert.Equal("8867-4", c));
    }
}
