using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Benchmarks.Fhir;

/// <summary>
/// Posts every bundle, one after another, to <c>POST /fhir</c> as one hospital client would. Each pass uses its own
/// client id, so it starts from an empty tenant (every conditional create creates again) while the store and the
/// process carry on. A bundle that is not answered 200 with a 200/201 for every entry stops the benchmark.
/// </summary>
internal static class GatewayIngestPass
{
    private static readonly MediaTypeHeaderValue FhirJson = new("application/fhir+json");

    public static async Task<IngestPassResult> RunAsync(GatewayProcess gateway, string clientId, IngestCorpus corpus,
        CancellationToken cancellationToken)
    {
        using var client = gateway.CreateClient(GatewayRoles.Hospital, clientId);

        // Before the clock starts: prove the token is accepted, and let the gateway fetch its (own) OIDC metadata and
        // keys once. That is a per-process cost, not a per-bundle one; FHIR-path JIT stays inside the measurement.
        using (var me = await client.GetAsync(new Uri("auth/me", UriKind.Relative), cancellationToken))
        {
            if (me.StatusCode != HttpStatusCode.OK)
            {
                throw new BenchmarkFailedException(
                    $"GET /auth/me with the benchmark's Hospital token answered {(int)me.StatusCode}: " +
                    $"{await me.Content.ReadAsStringAsync(cancellationToken)}\n{gateway.Diagnostics()}");
            }
        }

        var timings = new List<BundleTiming>(corpus.Bundles.Count);
        var wall = Stopwatch.StartNew();
        foreach (var bundle in corpus.Bundles)
        {
            var started = Stopwatch.GetTimestamp();
            HttpStatusCode status;
            byte[] body;
            try
            {
                using var content = new ByteArrayContent(bundle.Bytes);
                content.Headers.ContentType = FhirJson;
                using var response = await client.PostAsync(new Uri("fhir", UriKind.Relative), content, cancellationToken);
                status = response.StatusCode;
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new BenchmarkFailedException(
                    $"POST /fhir with {bundle.Name} failed: {e.Message}\n{gateway.Diagnostics()}", e);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            timings.Add(new BundleTiming(bundle.Name, CountStored(bundle, status, body), elapsed.TotalMilliseconds));
        }

        wall.Stop();
        return new IngestPassResult(timings, wall.Elapsed);
    }

    /// <summary>The number of entries answered 200 or 201; anything else is a failed ingest, not a data point.</summary>
    private static int CountStored(CorpusBundle bundle, HttpStatusCode status, byte[] body)
    {
        if (status != HttpStatusCode.OK)
        {
            throw new BenchmarkFailedException(
                $"POST /fhir with {bundle.Name} ({bundle.BundleType}, {bundle.Entries} entries) answered " +
                $"{(int)status} instead of 200:\n{Excerpt(body)}");
        }

        using var json = JsonDocument.Parse(body);
        var stored = 0;
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        if (json.RootElement.TryGetProperty("entry", out var entries))
        {
            foreach (var entry in entries.EnumerateArray())
            {
                var entryStatus = entry.TryGetProperty("response", out var r) && r.TryGetProperty("status", out var s)
                    ? s.GetString() ?? string.Empty
                    : "(no response.status)";
                if (entryStatus.StartsWith("200", StringComparison.Ordinal) || entryStatus.StartsWith("201", StringComparison.Ordinal))
                {
                    stored++;
                }
                else
                {
                    failures[entryStatus] = failures.GetValueOrDefault(entryStatus) + 1;
                }
            }
        }

        if (stored != bundle.Entries)
        {
            var statuses = string.Join(", ", failures.Select(f => $"{f.Value.ToString(CultureInfo.InvariantCulture)} × '{f.Key}'"));
            throw new BenchmarkFailedException(
                $"POST /fhir with {bundle.Name}: only {stored} of {bundle.Entries} entries were answered 200/201 " +
                $"(others: {(statuses.Length == 0 ? "missing from the response" : statuses)}).\n{Excerpt(body)}");
        }

        return stored;
    }

    private static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 4000));
        return body.Length > 4000 ? text + " …" : text;
    }
}
