using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Step 1, the hospital: every Synthea bundle goes to <c>POST /fhir</c> as it is (transactions and the information
/// batches), information bundles first. The Patient ids come from the response locations.
/// </summary>
internal static class SyntheaStep
{
    public static Task<IReadOnlyList<string>> RunAsync(DemoApi api, DemoConsole console, IReadOnlyList<string> bundles, CancellationToken cancellationToken)
    {
        var totalBytes = bundles.Sum(f => new FileInfo(f).Length);
        return console.StepAsync<IReadOnlyList<string>>("Hospital loads Synthea bundles (POST /fhir)", totalBytes, async progress =>
        {
            var started = TimeProvider.System.GetTimestamp();
            var patients = new List<string>();
            var resources = 0;
            foreach (var file in bundles)
            {
                var entries = await PostBundleAsync(api, file, cancellationToken);
                resources += entries.Count;
                patients.AddRange(entries.Select(PatientId).OfType<string>());
                progress.Advance(new FileInfo(file).Length);
            }

            if (patients.Count == 0)
            {
                throw new DemoFailedException("Loading Synthea: the bundles created no Patient.");
            }

            var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
            return (patients, string.Create(CultureInfo.InvariantCulture,
                $"{bundles.Count} bundles, {patients.Count} patients, {resources:N0} resources written in {seconds:0.0} s"));
        });
    }

    /// <summary>The id in <c>Patient/{id}/_history/{v}</c> (relative or absolute), null for other types.</summary>
    private static string? PatientId(string location)
    {
        var segments = location.Split('/');
        var at = Array.IndexOf(segments, "Patient");
        return at >= 0 && at + 1 < segments.Length && segments[at + 1].Length > 0 ? segments[at + 1] : null;
    }

    /// <summary>Posts one bundle and answers each entry's location; any entry that failed stops the demo.</summary>
    private static async Task<List<string>> PostBundleAsync(DemoApi api, string file, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(file);
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        var response = await api.Hospital.CallAsync(HttpMethod.Post, "fhir", content, $"Loading {name}", cancellationToken, HttpStatusCode.OK);
        var bundle = await response.ReadJsonAsync(cancellationToken);
        var locations = new List<string>();
        if (!bundle.TryGetProperty("entry", out var entries))
        {
            return locations;
        }

        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var answer = entry.GetProperty("response");
            var status = answer.GetProperty("status").GetString() ?? string.Empty;
            if (!status.StartsWith('2'))
            {
                var why = answer.TryGetProperty("outcome", out var outcome) ? DemoHttp.Describe(outcome.GetRawText()) : string.Empty;
                throw new DemoFailedException($"Loading {name}: entry {index} answered {status}{(why.Length == 0 ? "" : ": " + why)}");
            }

            if (answer.TryGetProperty("location", out var location) && location.ValueKind == JsonValueKind.String)
            {
                locations.Add(location.GetString()!);
            }

            index++;
        }

        return locations;
    }
}
