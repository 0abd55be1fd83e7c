using System.Text.Json;
using HealthDataSpace.Benchmarks.Infrastructure;

namespace HealthDataSpace.Benchmarks.Fhir;

/// <summary>One bundle file, read into memory before any clock starts (the benchmark measures ingest, not disk reads).</summary>
internal sealed record CorpusBundle(string Name, string BundleType, int Entries, byte[] Bytes);

/// <summary>
/// The Synthea bundles in the order a hospital must send them: <c>synthea/hospital/*Information*.json</c> first (batch
/// bundles of conditional creates that the hospital patient bundles reference by conditional reference), then the
/// hospital patient bundles, then <c>synthea/patients/</c>. Each group in ordinal file-name order.
/// </summary>
internal sealed class IngestCorpus
{
    private IngestCorpus(string syntheaFolder, IReadOnlyList<CorpusBundle> bundles)
    {
        SyntheaFolder = syntheaFolder;
        Bundles = bundles;
    }

    public string SyntheaFolder { get; }

    public IReadOnlyList<CorpusBundle> Bundles { get; }

    public int TotalEntries => Bundles.Sum(b => b.Entries);

    public long TotalBytes => Bundles.Sum(b => (long)b.Bytes.Length);

    /// <param name="dataFolder">The shared data folder (holding <c>synthea/</c>), or the <c>synthea</c> folder itself.</param>
    public static IngestCorpus Load(string dataFolder)
    {
        var synthea = Directory.Exists(Path.Combine(dataFolder, "synthea")) ? Path.Combine(dataFolder, "synthea") : dataFolder;
        var hospital = Path.Combine(synthea, "hospital");
        var patients = Path.Combine(synthea, "patients");
        if (!Directory.Exists(hospital) || !Directory.Exists(patients))
        {
            throw new BenchmarkFailedException(
                $"No Synthea data under {Path.GetFullPath(synthea)}: expected the folders hospital/ and patients/.");
        }

        static bool IsInformation(string file) => Path.GetFileName(file).Contains("Information", StringComparison.Ordinal);
        var hospitalFiles = Directory.GetFiles(hospital, "*.json").Order(StringComparer.Ordinal).ToList();
        var information = hospitalFiles.Where(IsInformation).ToList();
        if (information.Count == 0)
        {
            throw new BenchmarkFailedException(
                $"{hospital} has no *Information*.json batch bundles; its patient bundles would not resolve.");
        }

        var files = information
            .Concat(hospitalFiles.Where(f => !IsInformation(f)))
            .Concat(Directory.GetFiles(patients, "*.json").Order(StringComparer.Ordinal))
            .ToList();
        return new IngestCorpus(Path.GetFullPath(synthea), files.Select(f => Read(synthea, f)).ToList());
    }

    private static CorpusBundle Read(string root, string file)
    {
        var bytes = File.ReadAllBytes(file);
        using var json = JsonDocument.Parse(bytes);
        var bundle = json.RootElement;
        if (!bundle.TryGetProperty("resourceType", out var type) || type.GetString() != "Bundle")
        {
            throw new BenchmarkFailedException($"{file} is not a FHIR Bundle.");
        }

        var bundleType = bundle.TryGetProperty("type", out var t) ? t.GetString() ?? "?" : "?";
        var entries = bundle.TryGetProperty("entry", out var e) && e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : 0;
        return new CorpusBundle(Path.GetRelativePath(root, file), bundleType, entries, bytes);
    }
}
