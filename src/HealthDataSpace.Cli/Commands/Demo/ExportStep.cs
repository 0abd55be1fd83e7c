using System.Globalization;
using System.Net;
using HealthDataSpace.Core.Research.Datasets;
using Spectre.Console;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>A finished export: its manifest, the job URL (its answer carries the live withdrawal count) and the local folder.</summary>
/// <param name="Folder">The dataset's folder on this machine (FileSystem blob provider), or null when the files live
/// elsewhere (Azure Blob).</param>
internal sealed record DemoDataset(DatasetManifest Manifest, string JobPath, string? Folder);

/// <summary>
/// Step 6, the researcher exports a dataset in the FHIR Bulk Data async pattern: <c>POST
/// /research/permits/{id}/$export</c>, then the job at <c>Content-Location</c> is polled (its <c>X-Progress</c> drives
/// the bar) until it answers the manifest, which is printed with every file's SHA-256.
/// </summary>
internal static class ExportStep
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<DemoDataset> RunAsync(DemoApi api, DemoConsole console, DemoPermit permit, CancellationToken cancellationToken)
    {
        // The exporter reports "selecting patients", "k-anonymity …", "{Type}: n resource(s) written" per permit type,
        // "telemetry daily aggregates", "finishing tables": the bar moves one stage at a time.
        string[] stages = ["selecting patients", "k-anonymity", .. StewardSteps.ResourceTypes.Select(t => t + ":"), "telemetry", "finishing"];
        var dataset = await console.StepAsync("Researcher exports a dataset", stages.Length, async progress =>
        {
            var started = TimeProvider.System.GetTimestamp();
            var accepted = await api.Researcher.CallAsync(HttpMethod.Post, $"research/permits/{permit.Id}/$export", null,
                "Starting the export", cancellationToken, HttpStatusCode.Accepted);
            var job = (accepted.Content.Headers.ContentLocation ?? accepted.Headers.Location)?.OriginalString.TrimStart('/')
                ?? throw new DemoFailedException("Starting the export: the 202 answer has no Content-Location.");
            accepted.Dispose();

            while (TimeProvider.System.GetElapsedTime(started) < Deadline)
            {
                var status = await api.Researcher.CallAsync(HttpMethod.Get, job, null, "Waiting for the export", cancellationToken,
                    HttpStatusCode.OK, HttpStatusCode.Accepted);
                if (status.StatusCode == HttpStatusCode.OK)
                {
                    using (status)
                    {
                        var manifest = DatasetManifest.Parse(await status.Content.ReadAsStringAsync(cancellationToken));
                        var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                        return (new DemoDataset(manifest, job, LocalFolder(manifest)), string.Create(CultureInfo.InvariantCulture,
                            $"dataset {manifest.DatasetId}: {manifest.Patients} patients, {manifest.Output.Sum(o => o.Count):N0} resources in {manifest.Output.Count} NDJSON files, " +
                            $"{manifest.Tables.Count} Parquet tables, in {seconds:0.0} s"));
                    }
                }

                var text = status.Headers.TryGetValues("X-Progress", out var values) ? string.Join(" ", values) : "running";
                status.Dispose();
                var stage = Array.FindLastIndex(stages, s => text.StartsWith(s, StringComparison.Ordinal));
                progress.Report(Math.Max(stage, 0), text);
                await Task.Delay(PollInterval, cancellationToken);
            }

            throw new DemoFailedException($"The export did not finish within {Deadline.TotalMinutes:0} minutes (job {job}).");
        });

        Print(console, dataset);
        return dataset;
    }

    /// <summary>The folder holding the dataset's files, when they are files on this machine (the FileSystem provider).</summary>
    private static string? LocalFolder(DatasetManifest manifest)
    {
        var manifestFile = manifest.Files.Select(f => f.Url).FirstOrDefault(Path.IsPathFullyQualified);
        var folder = manifestFile is null ? null : Path.GetDirectoryName(manifestFile);
        // The url of a file under tables/ is one level deeper; the manifest sits at the dataset's root.
        while (folder is not null && !File.Exists(Path.Combine(folder, DatasetManifest.FileName)))
        {
            folder = Path.GetDirectoryName(folder);
        }

        return folder;
    }

    private static void Print(DemoConsole console, DemoDataset dataset)
    {
        var manifest = dataset.Manifest;
        var rows = manifest.Output.Concat(manifest.Tables).ToDictionary(o => o.Url, o => o.Count, StringComparer.Ordinal);
        var table = new Table().Title($"Dataset {manifest.DatasetId} (manifest.json)")
            .AddColumn("file").AddColumn("type").AddColumn(new TableColumn("rows").RightAligned())
            .AddColumn(new TableColumn("bytes").RightAligned()).AddColumn("SHA-256");
        foreach (var file in manifest.Files)
        {
            var type = manifest.Output.Concat(manifest.Tables).FirstOrDefault(o => o.Url == file.Url)?.Type ?? "";
            table.AddRow(Markup.Escape(file.Path), Markup.Escape(type),
                rows.TryGetValue(file.Url, out var count) ? count.ToString("N0", CultureInfo.InvariantCulture) : "",
                file.Bytes.ToString("N0", CultureInfo.InvariantCulture), file.Sha256[..16] + "…");
        }

        console.Write(table);
        var k = manifest.KAnonymity;
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"k-anonymity: k = {k.K} on {string.Join(", ", k.QuasiIdentifiers)} (achieved {k.AchievedK}; birth years in {k.BirthYearBandWidth}-year bands, " +
            $"postal regions of {k.PostalRegionDigits} digits); {manifest.SuppressedCount} patient(s) suppressed, " +
            $"{manifest.ExcludedByConsent} resource(s) excluded by consent, {manifest.Patients} patient(s) released"));
        console.Line($"Dataset id: {manifest.DatasetId}");
        console.Line($"Recipient container: {manifest.Container}, folder {manifest.Folder}");
        console.Line(dataset.Folder is null
            ? $"Files: in blob storage, e.g. {(manifest.Files.Count > 0 ? manifest.Files[0].Url : manifest.Folder)}"
            : $"Files on disk: {dataset.Folder}");
    }
}
