using System.Data.Common;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Bundles;

/// <summary>
/// Processes transaction and batch bundles as FHIR R4 specifies (3.1.0.11). A transaction runs in one store
/// session: deletes, then creates, then updates, then reads; fullUrls (urn:uuid or absolute) are replaced by the
/// assigned ids everywhere in the bundle; any failure rolls the whole bundle back. A batch runs every entry on its own
/// (a savepoint each, committed in chunks), so one failed entry does not undo the others.
/// </summary>
internal sealed class BundleProcessor(FhirService service, IFhirStore store, FhirOptions options)
{
    private const int BatchEntriesPerTransaction = 50;

    public async Task<Bundle> ProcessAsync(FhirRequestContext context, Bundle bundle, bool returnRepresentation,
        CancellationToken cancellationToken)
    {
        if (bundle.Type is not (Bundle.BundleType.Transaction or Bundle.BundleType.Batch))
        {
            throw FhirException.BadRequest("POST /fhir takes a Bundle of type 'transaction' or 'batch'.");
        }

        if (bundle.Entry.Count > options.MaxBundleEntries)
        {
            throw FhirException.TooLarge($"The bundle has {bundle.Entry.Count} entries; this server accepts at most {options.MaxBundleEntries}.");
        }

        var transaction = bundle.Type == Bundle.BundleType.Transaction;
        var response = new Bundle
        {
            Id = Guid.NewGuid().ToString(),
            Type = transaction ? Bundle.BundleType.TransactionResponse : Bundle.BundleType.BatchResponse,
        };
        if (transaction)
        {
            var requests = bundle.Entry.Select((e, i) => BundleEntryRequest.Parse(i, e, context.BaseUrl)).ToList();
            response.Entry.AddRange(await TransactionAsync(context, requests, returnRepresentation, cancellationToken));
        }
        else
        {
            response.Entry.AddRange(await BatchAsync(context, bundle, returnRepresentation, cancellationToken));
        }

        return response;
    }

    private async Task<Bundle.EntryComponent[]> TransactionAsync(FhirRequestContext context, List<BundleEntryRequest> requests,
        bool returnRepresentation, CancellationToken cancellationToken)
    {
        CheckDistinctFullUrls(requests);
        var results = new Bundle.EntryComponent[requests.Count];
        await using var session = await store.OpenSessionAsync(forWrite: true, cancellationToken);
        var writer = service.Writer(session, context);
        var executor = new EntryExecutor(writer, returnRepresentation);

        await LockInOrderAsync(session, requests, cancellationToken);

        foreach (var request in requests.Where(r => r.Method == Bundle.HTTPVerb.DELETE))
        {
            results[request.Index] = await Guard(request, () => executor.DeleteAsync(request, cancellationToken));
        }

        // Assign every id before writing anything, so references may point forwards as well as backwards.
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        var conditionalCreates = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new HashSet<int>();
        foreach (var request in requests.Where(r => r.Method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT))
        {
            var existing = await Guard(request, () => executor.AssignIdAsync(request, conditionalCreates, cancellationToken));
            if (existing is not null)
            {
                results[request.Index] = existing;
                skipped.Add(request.Index);
            }

            if (!string.IsNullOrEmpty(request.FullUrl))
            {
                references[request.FullUrl] = $"{request.Type}/{request.Id}";
            }

            // A conditional reference written exactly like an entry's ifNoneExist means that entry, wherever it
            // stands in the bundle (the usual shape of hospital exports).
            if (request.Method == Bundle.HTTPVerb.POST && request.ConditionalWriteKey is { } key)
            {
                references.TryAdd(key, $"{request.Type}/{request.Id}");
            }
        }

        CheckEachResourceOnce(requests, skipped);

        foreach (var request in requests.Where(r => r.Resource is not null))
        {
            RewriteReferences(request.Resource!, references);
        }

        foreach (var request in requests.Where(r => r.Method == Bundle.HTTPVerb.POST && !skipped.Contains(r.Index))
                     .Concat(requests.Where(r => r.Method == Bundle.HTTPVerb.PUT && !skipped.Contains(r.Index))))
        {
            results[request.Index] = await Guard(request, () => executor.WriteAsync(request, cancellationToken));
        }

        foreach (var request in requests.Where(r => r.Method is Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD))
        {
            results[request.Index] = await Guard(request, () => executor.ReadAsync(request, cancellationToken));
        }

        await session.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// A batch commits in chunks of entries, with a savepoint per entry: a failed entry is rolled back alone and
    /// answered with its OperationOutcome, the others are kept. One transaction per entry made directory batches of
    /// thousands of conditional creates several times slower; one transaction for the whole batch would hold its locks
    /// too long and overflow PostgreSQL's per-transaction cache of 64 subtransactions.
    /// </summary>
    private async Task<Bundle.EntryComponent[]> BatchAsync(FhirRequestContext context, Bundle bundle, bool returnRepresentation,
        CancellationToken cancellationToken)
    {
        var results = new Bundle.EntryComponent[bundle.Entry.Count];
        var requests = bundle.Entry.Select((entry, i) => TryParse(i, entry, context.BaseUrl)).ToList();
        for (var start = 0; start < requests.Count; start += BatchEntriesPerTransaction)
        {
            var chunk = Enumerable.Range(start, Math.Min(BatchEntriesPerTransaction, requests.Count - start)).ToList();
            await using var session = await store.OpenSessionAsync(forWrite: true, cancellationToken);
            await LockInOrderAsync(session, chunk.Select(i => requests[i].Request).OfType<BundleEntryRequest>(), cancellationToken);
            foreach (var i in chunk)
            {
                results[i] = requests[i] is { Request: { } request }
                    ? await BatchEntryInSavepointAsync(session, context, request, returnRepresentation, cancellationToken)
                    : EntryExecutor.Failure(requests[i].Error!);
            }

            await session.CommitAsync(cancellationToken);
        }

        return results;
    }

    private async Task<Bundle.EntryComponent> BatchEntryInSavepointAsync(IFhirStoreSession session, FhirRequestContext context,
        BundleEntryRequest request, bool returnRepresentation, CancellationToken cancellationToken)
    {
        await session.SavepointAsync(cancellationToken);
        try
        {
            // A fresh writer per entry: nothing a failed entry learnt may leak into the next one.
            var executor = new EntryExecutor(service.Writer(session, context), returnRepresentation);
            var result = await BatchEntryAsync(executor, request, cancellationToken);
            await session.ReleaseSavepointAsync(cancellationToken);
            return result;
        }
        catch (FhirException e)
        {
            await session.RollbackToSavepointAsync(cancellationToken);
            return EntryExecutor.Failure(e);
        }
        catch (DbException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The database refused this entry (a deadlock with a concurrent writer, say): undo it alone, go on.
            await session.RollbackToSavepointAsync(cancellationToken);
            return EntryExecutor.Failure(e.SqlState is "40P01" or "40001"
                ? FhirException.Conflict("This entry conflicted with a concurrent request and was rolled back; retry it.")
                : new FhirException(500, OperationOutcome.IssueType.Exception, "The database refused this entry; it was not stored."));
        }
    }

    private static async Task<Bundle.EntryComponent> BatchEntryAsync(EntryExecutor executor, BundleEntryRequest request, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case Bundle.HTTPVerb.DELETE:
                return await executor.DeleteAsync(request, cancellationToken);
            case Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD:
                return await executor.ReadAsync(request, cancellationToken);
            default:
                return await executor.AssignIdAsync(request, [], cancellationToken) ?? await executor.WriteAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Takes every conditional write's lock at once, in one global order, so that two bundles with overlapping
    /// conditions queue behind each other instead of deadlocking (the locks last until the session ends).
    /// </summary>
    private static async Task LockInOrderAsync(IFhirStoreSession session, IEnumerable<BundleEntryRequest> requests, CancellationToken cancellationToken)
    {
        var locks = requests.Select(r => r.ConditionalWriteKey).OfType<string>().Select(ResourceWriter.LockKey);
        foreach (var key in locks.Distinct().Order(StringComparer.Ordinal))
        {
            await session.LockAsync(key, cancellationToken);
        }
    }

    /// <summary>Parses one batch entry; a malformed entry becomes its own failure, not the whole batch's.</summary>
    private static (BundleEntryRequest? Request, FhirException? Error) TryParse(int index, Bundle.EntryComponent entry, string baseUrl)
    {
        try
        {
            return (BundleEntryRequest.Parse(index, entry, baseUrl), null);
        }
        catch (FhirException e)
        {
            return (null, e);
        }
    }

    /// <summary>Prefixes an entry's error with which entry it was, keeping its status.</summary>
    private static async Task<T> Guard<T>(BundleEntryRequest request, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (FhirException e)
        {
            throw new FhirException(e.Status, e.Issue, $"Transaction failed at {request.Describe}: {e.Message}") { Details = e.Details };
        }
    }

    private static void CheckDistinctFullUrls(List<BundleEntryRequest> requests)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            if (!string.IsNullOrEmpty(request.FullUrl) && !seen.Add(request.FullUrl))
            {
                throw FhirException.BadRequest($"Bundle entry {request.Index} repeats the fullUrl of an earlier entry.");
            }
        }
    }

    private static void RewriteReferences(Resource resource, Dictionary<string, string> references)
    {
        foreach (var reference in ReferenceWalker.FindAll(resource))
        {
            if (reference.Reference is not { } literal)
            {
                continue;
            }

            var question = literal.IndexOf('?', StringComparison.Ordinal);
            var key = question > 0 ? ResourceWriter.CriteriaKey(literal[..question], literal[(question + 1)..]) : literal;
            if (references.TryGetValue(key, out var local))
            {
                reference.Reference = local;
            }
        }
    }

    /// <summary>FHIR R4: a transaction that writes the same resource twice (two PUTs, a DELETE and a PUT…) fails.</summary>
    private static void CheckEachResourceOnce(List<BundleEntryRequest> requests, HashSet<int> skipped)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests.Where(r => r.Method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT or Bundle.HTTPVerb.DELETE
                                                     && r.Id is not null && !skipped.Contains(r.Index)))
        {
            if (!seen.Add($"{request.Type}/{request.Id}"))
            {
                throw FhirException.BadRequest($"Bundle entry {request.Index} writes {request.Type}/{request.Id}, which an earlier entry of this transaction already writes.");
            }
        }
    }
}
