using System.Globalization;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>What the steps produced, for the summary.</summary>
internal sealed record DemoStory(
    IReadOnlyList<string> Patients,
    IReadOnlyList<DemoDevice> Devices,
    IReadOnlySet<string> OptedOut,
    DemoPermit Permit,
    DemoDataset Dataset,
    string? Withdrawal);

/// <summary>The closing summary: what happened, where everything is, and how to open the tables.</summary>
internal static class DemoSummary
{
    public static void Print(DemoConsole console, DemoSettings settings, DemoStory story, string? gatewayLog)
    {
        var manifest = story.Dataset.Manifest;
        console.Heading("What happened");
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"- A hospital pushed {settings.Bundles.Count} Synthea bundles: {story.Patients.Count} patients in the identified FHIR store."));
        if (story.Devices.Count > 0)
        {
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"- {story.Devices.Count} wearables streamed 24 h of minute heart rate and SpO2 over gRPC, each batch acknowledged once durable; the gateway made hourly FHIR Observations of them."));
        }

        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"- The steward recorded {story.Patients.Count - story.OptedOut.Count} opt-ins and {story.OptedOut.Count} opt-outs for research ({StewardSteps.Purpose}) and approved permit {story.Permit.Id}."));
        console.Line("- The researcher counted consenting patients only, with small cells suppressed, and never saw an identifier.");
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"- Dataset {manifest.DatasetId} went to {story.Permit.Recipient}: {manifest.Patients} pseudonymised patients (k = {manifest.K}, {manifest.SuppressedCount} suppressed), NDJSON + Parquet, every file's SHA-256 in manifest.json."));
        if (story.Withdrawal is not null)
        {
            console.Line("- A participant withdrew; the partner's withdrawals.ndjson now says:");
            console.Line("    " + story.Withdrawal);
        }

        console.Heading("Where it is");
        if (settings.InProcess)
        {
            console.Line($"Data folder:    {settings.DataPath}");
            console.Line("                healthdataspace.db (FHIR store, consents, permits, audit), telemetry.db (readings), blobs/ (datasets), logs/gateway.log, secrets/ and dev-issuer/ (development keys)");
        }

        if (gatewayLog is not null)
        {
            console.Line($"Gateway log:    {gatewayLog}");
        }

        if (story.Dataset.Folder is { } folder)
        {
            console.Line($"Dataset folder: {folder}");
            console.Heading("Open the tables");
            var tables = Path.Combine(folder, "tables");
            console.Line($"duckdb -c \"SELECT gender, count(*) FROM '{Path.Combine(tables, "patients.parquet")}' GROUP BY gender\"");
            console.Line($"duckdb -c \"SELECT type, day, count, mean FROM '{Path.Combine(tables, "telemetry_daily.parquet")}' ORDER BY type, day LIMIT 10\"");
            console.Line($"python3 -c \"import pandas as pd; print(pd.read_parquet('{Path.Combine(tables, "conditions.parquet")}').groupby('display').size().nlargest(10))\"");
        }
        else
        {
            console.Line($"Dataset:        container {manifest.Container}, folder {manifest.Folder}");
        }

        if (settings.InProcess)
        {
            console.Heading("Look around with the gateway on this data");
            console.Line($"dotnet run --project src/HealthDataSpace.Gateway -- --Storage:DataPath={settings.DataPath} --Consent:Defaults:HRESCH=OptOut");
            console.Line($"TOKEN=$(dotnet run --project src/HealthDataSpace.Cli -- token --role Steward --data {settings.DataPath})");
            console.Line("curl -s 'http://127.0.0.1:5080/audit/$verify' -H \"Authorization: Bearer $TOKEN\"");
        }
    }
}
