using System.Text.Json;
using System.Text.Json.Serialization;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research.Datasets.Tables;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>One NDJSON file (Bulk Data output entry) or table.</summary>
public sealed record ManifestOutput(string Type, string Url, long Count);

/// <summary>What the k-anonymity gate did to the dataset.</summary>
public sealed record ManifestKAnonymity(int K, int AchievedK, int SuppressedCount, IReadOnlyList<string> QuasiIdentifiers,
    int BirthYearBandWidth, int PostalRegionDigits);

/// <summary>Where withdrawal notices for this dataset are appended; <see cref="Count"/> only in the live job answer.</summary>
public sealed record ManifestWithdrawals(string Url, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Count = null);

/// <summary>
/// The dataset manifest: the FHIR Bulk Data export manifest (<c>transactionTime</c>, <c>request</c>,
/// <c>requiresAccessToken</c>, <c>output</c>, <c>error</c>) extended with the dataset id, the Parquet tables, every
/// file's SHA-256, the k-anonymity outcome, the policy, the consent snapshot time and the withdrawal file. Written as
/// <c>manifest.json</c> beside the data (which cannot list its own digest) and answered by the export job.
/// </summary>
public sealed record DatasetManifest(
    DateTimeOffset TransactionTime,
    string Request,
    bool RequiresAccessToken,
    IReadOnlyList<ManifestOutput> Output,
    IReadOnlyList<ManifestOutput> Error,
    string DatasetId,
    string PermitId,
    string Container,
    string Folder,
    IReadOnlyList<ManifestOutput> Tables,
    IReadOnlyList<DatasetFile> Files,
    int K,
    int SuppressedCount,
    ManifestKAnonymity KAnonymity,
    string Policy,
    DateTimeOffset ConsentSnapshot,
    long ExcludedByConsent,
    long Patients,
    ManifestWithdrawals Withdrawals)
{
    public const string FileName = "manifest.json";
    public const string WithdrawalsFileName = "withdrawals.ndjson";

    /// <summary>Indented, and '+' in times or media types written as is (the files are JSON for programs, never HTML).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The same without indentation: one resource per NDJSON line.</summary>
    public static readonly JsonSerializerOptions CompactJson = new(Json) { WriteIndented = false };

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static DatasetManifest Parse(string json) => JsonSerializer.Deserialize<DatasetManifest>(json, Json)
        ?? throw new JsonException("The manifest is empty.");

    internal static DatasetManifest Build(ExportRequest request, DatasetFolder folder, ExportStatistics stats,
        IReadOnlyList<DatasetTableInfo> tables, KAnonymityReport report, int suppressed)
    {
        // A snapshot: the folder goes on to commit manifest.json itself, which the manifest cannot list.
        IReadOnlyList<DatasetFile> files = [.. folder.Committed];
        var output = stats.ResourcesByType.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new ManifestOutput(t.Key, folder.Locate($"{t.Key}.ndjson"), t.Value)).ToList();
        var errors = files.Where(f => f.Path == "errors.ndjson")
            .Select(f => new ManifestOutput("OperationOutcome", f.Url, stats.Errors.Count)).ToList();
        return new DatasetManifest(
            request.SnapshotTime,
            request.RequestUrl,
            RequiresAccessToken: true,
            output,
            errors,
            request.DatasetId,
            request.Permit.Id,
            folder.Container,
            folder.Folder,
            [.. tables.Select(t => new ManifestOutput(t.Name, folder.Locate(DatasetExporter.TablePath(t.Name)), t.Rows))],
            files,
            report.RequiredK,
            suppressed,
            new ManifestKAnonymity(report.RequiredK, report.AchievedK, report.SuppressedCount, report.QuasiIdentifiersUsed,
                report.BirthYearBandWidth, report.PostalRegionDigits),
            request.Permit.Policy,
            request.SnapshotTime,
            stats.ExcludedByConsentCount,
            stats.ResourcesByType.GetValueOrDefault("Patient"),
            new ManifestWithdrawals(folder.Locate(WithdrawalsFileName)));
    }
}
