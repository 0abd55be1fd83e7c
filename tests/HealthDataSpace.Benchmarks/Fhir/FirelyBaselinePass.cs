using System.Diagnostics;
using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Benchmarks.Fhir;

/// <summary>
/// The floor under any Firely-based FHIR server: parse each bundle with the same strict Firely 6 parser the gateway
/// uses (<see cref="FhirJson.ParseResource(ReadOnlySpan{byte})"/>) and serialise it again, in this process, no I/O.
/// </summary>
internal static class FirelyBaselinePass
{
    public static IngestPassResult Run(IngestCorpus corpus)
    {
        var timings = new List<BundleTiming>(corpus.Bundles.Count);
        long serialized = 0;
        var wall = Stopwatch.StartNew();
        foreach (var bundle in corpus.Bundles)
        {
            var started = Stopwatch.GetTimestamp();
            var parsed = (Bundle)FhirJson.ParseResource(bundle.Bytes);
            var json = FhirJson.Serialize(parsed);
            var elapsed = Stopwatch.GetElapsedTime(started);
            serialized += json.Length;
            timings.Add(new BundleTiming(bundle.Name, parsed.Entry.Count, elapsed.TotalMilliseconds));
        }

        wall.Stop();
        GC.KeepAlive(serialized);
        return new IngestPassResult(timings, wall.Elapsed);
    }
}
