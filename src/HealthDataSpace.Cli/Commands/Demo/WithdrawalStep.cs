using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HealthDataSpace.Core.Research.Datasets;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Step 7, a participant withdraws: the AI partner passes on the request for one released pseudonym (the first line
/// of Patient.ndjson), the steward maps it back (<c>POST /steward/reidentify</c>, reason <c>withdrawal-request</c>,
/// audited) and records the opt-out; the gateway then appends the notice to the dataset's <c>withdrawals.ndjson</c>,
/// which the demo waits for (the job's manifest counts it).
/// </summary>
internal static class WithdrawalStep
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>The notice line, or null when the dataset's files are not on this machine (the step is skipped).</summary>
    public static Task<string?> RunAsync(DemoApi api, DemoConsole console, DemoPermit permit, DemoDataset dataset, CancellationToken cancellationToken) =>
        console.StepAsync("A participant withdraws", Deadline.TotalMilliseconds, async progress =>
        {
            var patients = dataset.Manifest.Output.FirstOrDefault(o => o.Type == "Patient");
            if (dataset.Folder is null || patients is null || !File.Exists(patients.Url))
            {
                return ((string?)null, dataset.Folder is null
                    ? "skipped: the dataset's files are not on this machine, so no released pseudonym can be picked"
                    : $"skipped: the dataset released no patient (k-anonymity suppressed {dataset.Manifest.SuppressedCount}; load more patients)");
            }

            var pseudonym = FirstId(patients.Url);
            var reidentify = await api.Steward.CallAsync(HttpMethod.Post, "steward/reidentify",
                JsonContent.Create(new { project = permit.Project, pseudonym, reason = "withdrawal-request" }),
                "Re-identifying the withdrawing participant", cancellationToken, HttpStatusCode.OK);
            var reference = (await reidentify.ReadJsonAsync(cancellationToken)).GetProperty("reference").GetString()!;
            await StewardSteps.RecordAsync(api, reference["Patient/".Length..], "$opt-out", cancellationToken);

            var started = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(started) < Deadline)
            {
                if (await WithdrawalsAsync(api, dataset.JobPath, cancellationToken) > 0)
                {
                    var line = File.ReadLines(Path.Combine(dataset.Folder, DatasetManifest.WithdrawalsFileName)).First(l => l.Length > 0);
                    var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                    return (line, string.Create(CultureInfo.InvariantCulture,
                        $"pseudonym {pseudonym[..12]}… re-identified by the steward (audited), opted out; the notice reached the dataset {seconds:0.0} s later"));
                }

                progress.Report(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds, "waiting for withdrawals.ndjson");
                await Task.Delay(PollInterval, cancellationToken);
            }

            throw new DemoFailedException($"A participant withdraws: no line reached {DatasetManifest.WithdrawalsFileName} within {Deadline.TotalSeconds:0} s of the opt-out.");
        });

    /// <summary>The live withdrawal count the export job's answer carries.</summary>
    private static async Task<int> WithdrawalsAsync(DemoApi api, string jobPath, CancellationToken cancellationToken)
    {
        var response = await api.Researcher.CallAsync(HttpMethod.Get, jobPath, null, "Reading the export job", cancellationToken, HttpStatusCode.OK);
        var manifest = await response.ReadJsonAsync(cancellationToken);
        return manifest.GetProperty("withdrawals").TryGetProperty("count", out var count) ? count.GetInt32() : 0;
    }

    private static string FirstId(string ndjson)
    {
        var first = File.ReadLines(ndjson).First(l => l.Length > 0);
        using var resource = JsonDocument.Parse(first);
        return resource.RootElement.GetProperty("id").GetString()!;
    }
}
