using System.Text;
using System.Threading.Channels;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Core.Research.Datasets.Tables;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>What one export run is for: the permit, the job and dataset ids, the request URL and the consent snapshot time.</summary>
internal sealed record ExportRequest(DataPermit Permit, string JobId, string DatasetId, string RequestUrl, DateTimeOffset SnapshotTime);

/// <summary>A finished export: the manifest (JSON, as the job answers it), the registry record and the delivered members.</summary>
internal sealed record ExportOutcome(DatasetManifest Manifest, DatasetRecord Dataset, IReadOnlyList<DatasetMember> Members);

/// <summary>
/// Builds one dataset for a permit, streaming: (1) the permit's patients whose consent allows the permit's purpose for
/// its recipient (and who are in its cohort); (2) their Patients pseudonymised and put through the k-anonymity gate;
/// (3) every resource of the permit's types that belongs to a released patient, decided by consent one by one (code,
/// date, security labels), pseudonymised with the permit's policy under the project's pseudonym domain, written as
/// Bulk Data NDJSON and into the Parquet tables; (4) daily telemetry aggregates; (5) the HealthDCAT-AP entry and the
/// manifest with every file's SHA-256. Pages are read in storage order and de-identified in parallel, written in
/// order; memory is bounded by a few pages and one Parquet row group per table, whatever the dataset's size.
/// </summary>
internal sealed class DatasetExporter(
    IFhirStore store,
    ConsentIndex consents,
    CohortService cohorts,
    IBlobStorage blobs,
    KAnonymityGate gate,
    ResearchIndex index,
    TimeProvider time)
{
    public const int PageSize = 500;
    private static readonly ReadOnlyMemory<byte> Newline = "\n"u8.ToArray();
    private static readonly int PagesInFlight = Math.Max(2, Environment.ProcessorCount * 2);

    public async Task<ExportOutcome> RunAsync(ExportRequest request, AnonymizationEngine engine, Func<string, CancellationToken, Task> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(progress);
        var permit = request.Permit;
        var folderPath = $"datasets/{request.DatasetId}";
        await using var folder = new DatasetFolder(blobs, BlobNames.ContainerFor(permit.Recipient), folderPath);
        try
        {
            await progress("selecting patients", cancellationToken);
            var candidates = cohorts.DatasetPatients(permit).ToHashSet(StringComparer.Ordinal);

            await progress($"k-anonymity over {candidates.Count} patient(s)", cancellationToken);
            var patients = await PseudonymisePatientsAsync(engine, candidates, cancellationToken);
            var report = gate.Evaluate(patients.Values.Select(p => p.QuasiIdentifiers));
            var released = patients.Where(p => !report.SuppressedRecordIds.Contains(p.Value.QuasiIdentifiers.RecordId))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

            var stats = new ExportStatistics();
            await using var tables = new DatasetTableSet((name, ct) => folder.OpenAsync(TablePath(name), ct));
            foreach (var type in OrderTypes(permit.ResourceTypes))
            {
                await ExportTypeAsync(type, request, engine, report, released, folder, tables, stats, progress, cancellationToken);
            }

            if (permit.ResourceTypes.Contains("Observation", StringComparer.Ordinal))
            {
                await progress("telemetry daily aggregates", cancellationToken);
                await ExportTelemetryAsync(request, engine.Domain, released, tables, stats, cancellationToken);
            }

            await progress("finishing tables", cancellationToken);
            var tableInfos = await tables.CompleteAsync(cancellationToken);
            foreach (var table in tableInfos)
            {
                await folder.CommitAsync(TablePath(table.Name), cancellationToken);
            }

            if (stats.Errors.Count > 0)
            {
                await folder.WriteAsync("errors.ndjson", Encoding.UTF8.GetBytes(stats.ErrorOutcomes()), cancellationToken);
            }

            var entry = CatalogEntry.Build(request, stats, released.Values.Select(p => p.QuasiIdentifiers.BirthYear), folder, time.GetUtcNow());
            await folder.WriteAsync(CatalogEntry.FileName, Encoding.UTF8.GetBytes(entry), cancellationToken);
            var manifest = DatasetManifest.Build(request, folder, stats, tableInfos, report, patients.Count - released.Count);
            await folder.WriteAsync(DatasetManifest.FileName, manifest.ToUtf8(), cancellationToken);

            var dataset = new DatasetRecord(request.DatasetId, permit.Id, request.JobId, folder.Container, folderPath, time.GetUtcNow(), entry);
            var members = released.Select(p => new DatasetMember(request.DatasetId, "Patient/" + p.Key, p.Value.QuasiIdentifiers.RecordId)).ToList();
            return new ExportOutcome(manifest, dataset, members);
        }
        catch
        {
            // Cancelled or failed: nothing of this dataset stays in the partner's container.
            await folder.DisposeAsync();
            await folder.DeleteAllAsync(CancellationToken.None);
            throw;
        }
    }

    public static string TablePath(string table) => $"tables/{table}.parquet";

    /// <summary>Patient first (its pseudonyms and generalisation are settled), then the permit's other types in its order.</summary>
    private static IEnumerable<string> OrderTypes(IReadOnlyList<string> types) =>
        types.Where(t => t == "Patient").Concat(types.Where(t => t != "Patient")).Distinct(StringComparer.Ordinal);

    private async Task<Dictionary<string, PseudonymisedPatient>> PseudonymisePatientsAsync(AnonymizationEngine engine, HashSet<string> candidates,
        CancellationToken cancellationToken)
    {
        var patients = new Dictionary<string, PseudonymisedPatient>(StringComparer.Ordinal);
        await ScanAsync("Patient", resource =>
            {
                if (!candidates.Contains(resource.Id))
                {
                    return null;
                }

                try
                {
                    var pseudonymised = engine.Anonymize(Encoding.UTF8.GetBytes(resource.Json!));
                    return new PseudonymisedPatient(resource.Id, QuasiIdentifierRecord.FromPatientJson(pseudonymised));
                }
                catch (Exception e) when (e is FhirParseException or AnonymizationProcessingException)
                {
                    // A patient whose record cannot be de-identified is left out entirely (never released half-processed).
                    return null;
                }
            },
            patient =>
            {
                patients[patient.Id] = patient;
                return ValueTask.CompletedTask;
            },
            cancellationToken);
        return patients;
    }

    private async Task ExportTypeAsync(string type, ExportRequest request, AnonymizationEngine engine, KAnonymityReport report,
        Dictionary<string, PseudonymisedPatient> released, DatasetFolder folder, DatasetTableSet tables, ExportStatistics stats,
        Func<string, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        var path = $"{type}.ndjson";
        Stream? ndjson = null;
        var written = 0L;
        await ScanAsync(type, resource => Release(resource, request, engine, report, released, stats),
            async item =>
            {
                try
                {
                    // The table row first: a resource the tables refuse is left out of the NDJSON too.
                    await tables.AddResourceAsync(item.Json, cancellationToken);
                }
                catch (DatasetRowException)
                {
                    stats.Error(type);
                    return;
                }

                ndjson ??= await folder.OpenAsync(path, cancellationToken);
                await ndjson.WriteAsync(item.Json, cancellationToken);
                await ndjson.WriteAsync(Newline, cancellationToken);
                stats.Add(type, item.Systems, item.Ticks);
                if (++written % 10_000 == 0)
                {
                    await progress($"{type}: {written} resource(s) written", cancellationToken);
                }
            },
            cancellationToken);
        if (ndjson is not null)
        {
            await folder.CommitAsync(path, cancellationToken);
        }

        await progress($"{type}: {written} resource(s) written", cancellationToken);
    }

    /// <summary>Decides and de-identifies one resource (on a worker thread); null when it is not released.</summary>
    private ReleasedResource? Release(StoredResource resource, ExportRequest request, AnonymizationEngine engine, KAnonymityReport report,
        Dictionary<string, PseudonymisedPatient> released, ExportStatistics stats)
    {
        var permit = request.Permit;
        try
        {
            // A cheap scan finds the owner; only a released patient's resource is parsed, once, for both the consent
            // facts and the engine.
            var utf8 = Encoding.UTF8.GetBytes(resource.Json!);
            if (ExportItem.PatientOf(resource.Type, utf8) is not { } patient || !released.ContainsKey(patient))
            {
                return null;
            }

            var tree = FhirTreeReader.Parse(utf8);
            var item = ExportItem.Describe(patient, tree);
            if (!item.AllowedBy(consents, permit.Purpose, permit.Recipient, resource.Type, $"{resource.Type}/{resource.Id}", request.SnapshotTime))
            {
                stats.ExcludedByConsent();
                return null;
            }

            var json = engine.Anonymize(tree);
            if (resource.Type == "Patient")
            {
                json = PatientGeneralizer.Apply(json, report);
            }

            return new ReleasedResource(json, [.. item.Codes.Select(SystemOf).OfType<string>()], item.Date?.UtcTicks);
        }
        catch (Exception e) when (e is FhirParseException or AnonymizationProcessingException or System.Text.Json.JsonException)
        {
            stats.Error(resource.Type);
            return null;
        }
    }

    private async Task ExportTelemetryAsync(ExportRequest request, PseudonymDomain domain, Dictionary<string, PseudonymisedPatient> released,
        DatasetTableSet tables, ExportStatistics stats, CancellationToken cancellationToken)
    {
        var permit = request.Permit;
        foreach (var (id, patient) in released)
        {
            var shift = domain.IsProjectDomain ? domain.ShiftFor("Patient/" + id) : 0;
            foreach (var day in index.DaysOf(id))
            {
                var date = new DateTimeOffset(day.Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                var code = $"{TelemetryTypes.LoincSystem}|{day.Loinc}";
                var decision = consents.Evaluate(new ConsentDecisionRequest("Patient/" + id, permit.Purpose, permit.Recipient, "Observation",
                    code, null, date, request.SnapshotTime));
                if (!decision.Permit)
                {
                    stats.ExcludedByConsent();
                    continue;
                }

                await tables.AddTelemetryDayAsync(new TelemetryDayRow(patient.QuasiIdentifiers.RecordId, day.Type, day.Loinc, day.Day.AddDays(shift),
                    day.Count, day.Min, day.Max, day.Mean, day.Unit), cancellationToken);
                stats.TelemetryDay(TelemetryTypes.LoincSystem, date.UtcTicks);
            }
        }
    }

    /// <summary>Reads a type page by page, runs <paramref name="process"/> on pages in parallel, hands results on in order.</summary>
    private async Task ScanAsync<T>(string type, Func<StoredResource, T?> process, Func<T, ValueTask> consume, CancellationToken cancellationToken)
        where T : class
    {
        var pages = Channel.CreateBounded<Task<T?[]>>(PagesInFlight);
        using var scan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(async () =>
        {
            try
            {
                await using var session = await store.OpenSessionAsync(forWrite: false, scan.Token);
                for (long? position = 0; position is { } after;)
                {
                    var page = await session.ScanAsync(type, after, PageSize, scan.Token);
                    var resources = page.Resources;
                    await pages.Writer.WriteAsync(Task.Run(() => resources.Select(process).ToArray(), scan.Token), scan.Token);
                    position = page.Next;
                }

                pages.Writer.Complete();
            }
            catch (Exception e)
            {
                pages.Writer.Complete(e);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var page in pages.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (var item in await page)
                {
                    if (item is not null)
                    {
                        await consume(item);
                    }
                }
            }
        }
        finally
        {
            // A failed consumer must not leave the reader blocked on a full channel.
            await scan.CancelAsync();
            await reader;
        }
    }

    private static string? SystemOf(string? code) =>
        code is not null && code.IndexOf('|', StringComparison.Ordinal) is > 0 and var bar ? code[..bar] : null;

    private sealed record PseudonymisedPatient(string Id, QuasiIdentifierRecord QuasiIdentifiers);

    private sealed record ReleasedResource(byte[] Json, string[] Systems, long? Ticks);
}
