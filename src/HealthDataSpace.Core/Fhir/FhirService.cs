using System.Globalization;
using HealthDataSpace.Core.Fhir.Bundles;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>The outcome of a write: the stored version, and whether it created the resource (201) or not (200).</summary>
public sealed record WriteOutcome(StoredResource Resource, bool Created);

/// <summary>
/// The FHIR R4 RESTful API over the identified store: create, read, vread, update, delete, history, search, and
/// transaction/batch bundles. Every request runs inside one store session, so a failure leaves nothing behind.
/// </summary>
public sealed class FhirService(IFhirStore store, ResourceIndexer indexer, SearchQueryParser parser, FhirOptions options, TimeProvider time,
    IEnumerable<IFhirWriteHook>? hooks = null)
{
    private readonly IFhirWriteHook[] hooks = hooks?.ToArray() ?? [];

    public FhirOptions Options => options;

    public async Task<WriteOutcome> CreateAsync(FhirRequestContext context, Resource resource, string? ifNoneExist,
        CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(forWrite: true, cancellationToken);
        var writer = Writer(session, context);
        if (!string.IsNullOrWhiteSpace(ifNoneExist))
        {
            var matches = await writer.MatchAsync(resource.TypeName, ifNoneExist, forWrite: true, cancellationToken);
            if (matches.Count > 1)
            {
                throw FhirException.PreconditionFailed($"If-None-Exist matches {matches.Count} or more {resource.TypeName} resources.");
            }

            if (matches.Count == 1)
            {
                return new WriteOutcome(matches[0], Created: false);
            }
        }

        await writer.ResolveReferencesAsync(resource, cancellationToken);
        var stored = await writer.WriteAsync(resource, ResourceWriter.NewId(), null, "POST", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return new WriteOutcome(stored, Created: true);
    }

    public async Task<StoredResource> ReadAsync(FhirRequestContext context, string type, string id, CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        var current = await Writer(session, context).ReadVisibleAsync(type, id, cancellationToken)
            ?? throw FhirException.NotFound($"{type}/{id} is not known.");
        return current.Deleted ? throw FhirException.Gone($"{type}/{id} was deleted.") : current;
    }

    public async Task<StoredResource> ReadVersionAsync(FhirRequestContext context, string type, string id, string versionText,
        CancellationToken cancellationToken)
    {
        if (!long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw FhirException.NotFound($"{type}/{id} has no version '{versionText}'.");
        }

        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        if (await Writer(session, context).ReadVisibleAsync(type, id, cancellationToken) is null)
        {
            throw FhirException.NotFound($"{type}/{id} is not known.");
        }

        var stored = await session.ReadVersionAsync(type, id, version, cancellationToken)
            ?? throw FhirException.NotFound($"{type}/{id} has no version {version}.");
        return stored.Deleted ? throw FhirException.Gone($"Version {version} of {type}/{id} is a deletion.") : stored;
    }

    /// <summary>PUT: updates, or creates with the client's id (update-as-create). <paramref name="ifMatch"/> is a version number.</summary>
    public async Task<WriteOutcome> UpdateAsync(FhirRequestContext context, string type, string id, Resource resource,
        long? ifMatch, CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(forWrite: true, cancellationToken);
        var outcome = await UpdateInSessionAsync(Writer(session, context), type, id, resource, ifMatch, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>DELETE: returns the deletion, or null when there was nothing to delete (still a success, as FHIR says).</summary>
    public async Task<StoredResource?> DeleteAsync(FhirRequestContext context, string type, string id, long? ifMatch,
        CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(forWrite: true, cancellationToken);
        var deleted = await DeleteInSessionAsync(Writer(session, context), type, id, ifMatch, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<byte[]> HistoryAsync(FhirRequestContext context, string type, string id,
        IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var (count, offset) = Paging(parameters);
        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        if (await Writer(session, context).ReadVisibleAsync(type, id, cancellationToken) is null)
        {
            throw FhirException.NotFound($"{type}/{id} is not known.");
        }

        var result = await session.HistoryAsync(type, id, count, offset, cancellationToken);
        var self = $"{context.BaseUrl}/{type}/{id}/_history";
        return BundleJsonWriter.History(result.Total, result.Resources, PageLinks(self, [], count, offset, result.Total), context.BaseUrl);
    }

    public async Task<byte[]> SearchAsync(FhirRequestContext context, string type, IEnumerable<KeyValuePair<string, string>> parameters,
        bool lenient, CancellationToken cancellationToken)
    {
        var query = parser.Parse(type, parameters, context.BaseUrl, lenient, out var applied);
        await using var session = await store.OpenSessionAsync(forWrite: false, cancellationToken);
        var result = await session.SearchAsync(query, context.Scope.OwnerFilter, cancellationToken);
        var kept = applied.Where(p => p.Key is not ("_count" or "_offset")).ToList();
        var links = query.CountOnly
            ? [new BundleJsonWriter.Link("self", Url($"{context.BaseUrl}/{type}", applied))]
            : PageLinks($"{context.BaseUrl}/{type}", kept, query.Count, query.Offset, result.Total);
        return BundleJsonWriter.Searchset(result.Total, result.Resources, links, context.BaseUrl);
    }

    /// <summary>POST /fhir with a transaction (all or nothing) or batch (entry by entry) bundle.</summary>
    public Task<Bundle> ProcessBundleAsync(FhirRequestContext context, Bundle bundle, bool returnRepresentation,
        CancellationToken cancellationToken) =>
        new BundleProcessor(this, store, options).ProcessAsync(context, bundle, returnRepresentation, cancellationToken);

    internal ResourceWriter Writer(IFhirStoreSession session, FhirRequestContext context) =>
        new(session, context, indexer, parser, time, options.EnforceReferentialIntegrity, hooks);

    internal static async Task<WriteOutcome> UpdateInSessionAsync(ResourceWriter writer, string type, string id, Resource resource,
        long? ifMatch, CancellationToken cancellationToken)
    {
        if (!ReferenceParser.IsValidId(id))
        {
            throw FhirException.BadRequest("The id in the URL is not a valid FHIR id (1-64 of A-Z, a-z, 0-9, '-', '.').");
        }

        if (resource.Id is null || resource.Id != id)
        {
            throw FhirException.BadRequest("The resource's id must be present and equal to the id in the URL.");
        }

        var current = await writer.Session.ReadAsync(type, id, cancellationToken);
        if (current is not null && !writer.Context.Scope.CanSee(current.Owner))
        {
            // Ids are global: another source owns this one. Say no without revealing anything about it.
            throw FhirException.Conflict($"The id {id} is not available for {type}; choose another id.");
        }

        if (ifMatch is { } expected && (current is null || current.Deleted ? 0 : current.Version) != expected)
        {
            throw FhirException.PreconditionFailed($"If-Match expected version {expected} of {type}/{id}, which is not the current version.");
        }

        await writer.ResolveReferencesAsync(resource, cancellationToken);
        // Recorded as PUT even when it creates: history must show the interaction that happened (update-as-create).
        var stored = await writer.WriteAsync(resource, id, current, "PUT", cancellationToken);
        return new WriteOutcome(stored, Created: current is null || current.Deleted);
    }

    internal static async Task<StoredResource?> DeleteInSessionAsync(ResourceWriter writer, string type, string id, long? ifMatch,
        CancellationToken cancellationToken)
    {
        var current = await writer.ReadVisibleAsync(type, id, cancellationToken);
        if (ifMatch is { } expected && (current is null || current.Deleted || current.Version != expected))
        {
            throw FhirException.PreconditionFailed($"If-Match expected version {expected} of {type}/{id}, which is not the current version.");
        }

        return current is null || current.Deleted ? null : await writer.DeleteAsync(current, cancellationToken);
    }

    private (int Count, int Offset) Paging(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var count = options.DefaultPageSize;
        var offset = 0;
        foreach (var (name, value) in parameters)
        {
            var ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n);
            switch (name)
            {
                case "_count" when ok:
                    count = Math.Clamp(n, 1, options.MaxPageSize);
                    break;
                case "_offset" when ok:
                    offset = n;
                    break;
                case "_count" or "_offset":
                    throw FhirException.BadRequest($"'{name}' expects a non-negative whole number.");
                case "_since" or "_at" or "_list" or "_sort":
                    throw FhirException.NotSupported($"'{name}' is not supported on history; page with _count and _offset.");
            }
        }

        return (count, offset);
    }

    private static List<BundleJsonWriter.Link> PageLinks(string path, List<KeyValuePair<string, string>> kept, int count, int offset, int total)
    {
        string Page(int o) => Url(path, [.. kept, new("_count", count.ToString(CultureInfo.InvariantCulture)),
            new("_offset", o.ToString(CultureInfo.InvariantCulture))]);
        var links = new List<BundleJsonWriter.Link> { new("self", Page(offset)), new("first", Page(0)) };
        if (offset > 0)
        {
            links.Add(new("previous", Page(Math.Max(0, offset - count))));
        }

        if (count > 0 && offset + count < total)
        {
            links.Add(new("next", Page(offset + count)));
        }

        if (count > 0 && total > 0)
        {
            links.Add(new("last", Page((total - 1) / count * count)));
        }

        return links;
    }

    private static string Url(string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var query = string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return query.Length == 0 ? path : $"{path}?{query}";
    }
}
