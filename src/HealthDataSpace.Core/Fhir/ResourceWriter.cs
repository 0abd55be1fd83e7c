using System.Globalization;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// The write pipeline shared by single requests and bundles, inside one store session: conditional matching,
/// reference checks, version stamping, indexing and saving.
/// </summary>
internal sealed class ResourceWriter(IFhirStoreSession session, FhirRequestContext context, ResourceIndexer indexer,
    SearchQueryParser parser, TimeProvider time, bool enforceReferentialIntegrity = true, IReadOnlyList<IFhirWriteHook>? hooks = null)
{
    private readonly IReadOnlyList<IFhirWriteHook> hooks = hooks ?? [];

    // Targets known to exist in this session (read or written), so each is looked up once per bundle.
    private readonly HashSet<string> knownTargets = new(StringComparer.Ordinal);

    // Conditional references already resolved in this session: a bundle names the same practitioner hundreds of times.
    private readonly Dictionary<string, string> resolvedConditionals = new(StringComparer.Ordinal);

    public IFhirStoreSession Session => session;

    public FhirRequestContext Context => context;

    /// <summary>
    /// A canonical form of conditional criteria (decoded, parameters sorted), so that the same condition written two
    /// ways takes the same lock and matches the same bundle entry.
    /// </summary>
    public static string CriteriaKey(string type, string criteria) =>
        $"{type}?{string.Join("&", QueryString.Parse(criteria).Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal))}";

    /// <summary>
    /// The lock guarding a conditional write. Criteria hash into a fixed number of buckets, so a directory batch of
    /// thousands of conditional creates holds at most that many locks (PostgreSQL's lock table is shared and small);
    /// unrelated criteria that share a bucket merely queue.
    /// </summary>
    public static string LockKey(string criteriaKey)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(criteriaKey));
        var bucket = BitConverter.ToUInt32(hash, 0) % LockBuckets;
        return "conditional-write-" + bucket.ToString("D3", CultureInfo.InvariantCulture);
    }

    public const int LockBuckets = 256;

    /// <summary>
    /// Resolves a conditional URL (<c>identifier=sys|val</c>) among what the caller can see. A conditional write
    /// (<paramref name="forWrite"/>) first takes the criteria's lock, so two concurrent conditional creates cannot both
    /// create; a conditional reference only reads and takes none.
    /// </summary>
    public async Task<IReadOnlyList<StoredResource>> MatchAsync(string type, string criteria, bool forWrite, CancellationToken cancellationToken)
    {
        var pairs = QueryString.Parse(criteria);
        if (pairs.Count == 0)
        {
            throw FhirException.BadRequest($"The conditional criteria for {type} are empty.");
        }

        var query = parser.Parse(type, pairs, context.BaseUrl, lenient: false, out _) with { Count = 2, Offset = 0, CountOnly = false, IncludeTotal = false };
        if (query.Criteria.Count == 0)
        {
            throw FhirException.BadRequest($"The conditional criteria for {type} select nothing to match on.");
        }

        if (forWrite)
        {
            await session.LockAsync(LockKey(CriteriaKey(type, criteria)), cancellationToken);
        }

        var result = await session.SearchAsync(query, context.Scope.OwnerFilter, cancellationToken);
        return result.Resources;
    }

    /// <summary>Reads the current version if the caller may see it; null if absent or another source's.</summary>
    public async Task<StoredResource?> ReadVisibleAsync(string type, string id, CancellationToken cancellationToken)
    {
        var current = await session.ReadAsync(type, id, cancellationToken);
        return current is not null && context.Scope.CanSee(current.Owner) ? current : null;
    }

    /// <summary>
    /// Resolves conditional references (<c>Practitioner?identifier=…</c>) and checks every local reference points at
    /// a resource the caller can see. External absolute URLs are left alone; they are not ours to check.
    /// </summary>
    public async Task ResolveReferencesAsync(Resource resource, CancellationToken cancellationToken)
    {
        var containedIds = resource is DomainResource domain
            ? domain.Contained.Select(c => "#" + c.Id).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var reference in ReferenceWalker.FindAll(resource))
        {
            var literal = reference.Reference;
            if (!string.IsNullOrEmpty(literal) && literal.StartsWith(context.BaseUrl + "/", StringComparison.Ordinal))
            {
                // A reference to this server by its full URL is a local reference: store it relative, check it.
                literal = reference.Reference = literal[(context.BaseUrl.Length + 1)..];
            }

            if (string.IsNullOrEmpty(literal) || ReferenceParser.IsAbsolute(literal))
            {
                continue;
            }

            if (literal[0] == '#')
            {
                if (literal != "#" && !containedIds.Contains(literal))
                {
                    throw FhirException.Unprocessable($"A {resource.TypeName} refers to contained resource '{literal}', which it does not contain.");
                }

                continue;
            }

            var question = literal.IndexOf('?', StringComparison.Ordinal);
            if (question > 0)
            {
                reference.Reference = await ResolveConditionalAsync(literal[..question], literal[(question + 1)..], cancellationToken);
                continue;
            }

            if (literal.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
            {
                throw FhirException.Unprocessable($"A {resource.TypeName} refers to {literal}, which no entry of the bundle declares as its fullUrl.");
            }

            if (!ReferenceParser.TryParse(literal, out var type, out var id))
            {
                throw FhirException.Unprocessable($"A {resource.TypeName} has a reference that is not of the form Type/id.");
            }

            if (enforceReferentialIntegrity)
            {
                await EnsureExistsAsync(type, id, resource.TypeName, cancellationToken);
            }
        }
    }

    public async Task<StoredResource> WriteAsync(Resource resource, string id, StoredResource? current, string method,
        CancellationToken cancellationToken)
    {
        var request = new FhirWrite(context, resource.TypeName, id, resource, current);
        foreach (var hook in hooks)
        {
            await hook.BeforeWriteAsync(request, cancellationToken);
        }

        var version = (current?.Version ?? 0) + 1;
        var now = Truncate(time.GetUtcNow());
        resource.Id = id;
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = version.ToString(CultureInfo.InvariantCulture);
        resource.Meta.LastUpdated = now;
        var json = FhirJson.Serialize(resource);
        var owner = current?.Owner ?? context.Scope.ClientId;
        var write = new ResourceWrite(resource.TypeName, id, version, owner, now, method, json, indexer.Extract(resource));
        await session.SaveAsync(write, cancellationToken);
        knownTargets.Add($"{resource.TypeName}/{id}");
        var stored = new StoredResource(resource.TypeName, id, version, now, false, owner, method, json);
        await AfterWriteAsync(request, stored, cancellationToken);
        return stored;
    }

    public async Task<StoredResource> DeleteAsync(StoredResource current, CancellationToken cancellationToken)
    {
        var request = new FhirWrite(context, current.Type, current.Id, null, current);
        foreach (var hook in hooks)
        {
            await hook.BeforeWriteAsync(request, cancellationToken);
        }

        var now = Truncate(time.GetUtcNow());
        var version = current.Version + 1;
        await session.SaveAsync(new ResourceWrite(current.Type, current.Id, version, current.Owner, now, "DELETE", null, []), cancellationToken);
        knownTargets.Remove($"{current.Type}/{current.Id}");
        var deleted = current with { Version = version, LastUpdated = now, Deleted = true, Method = "DELETE", Json = null };
        await AfterWriteAsync(request, deleted, cancellationToken);
        return deleted;
    }

    private async Task AfterWriteAsync(FhirWrite request, StoredResource stored, CancellationToken cancellationToken)
    {
        foreach (var hook in hooks)
        {
            await hook.AfterWriteAsync(session, request, stored, cancellationToken);
        }
    }

    /// <summary>Marks a target as existing without a lookup (an id assigned earlier in the same transaction).</summary>
    public void Expect(string type, string id) => knownTargets.Add($"{type}/{id}");

    public static string NewId() => Guid.CreateVersion7().ToString();

    private async Task<string> ResolveConditionalAsync(string type, string criteria, CancellationToken cancellationToken)
    {
        if (!ResourceTypes.IsKnown(type))
        {
            throw FhirException.Unprocessable($"A conditional reference names '{type}', which is not an R4 resource type.");
        }

        var key = CriteriaKey(type, criteria);
        if (resolvedConditionals.TryGetValue(key, out var known))
        {
            return known;
        }

        var matches = await MatchAsync(type, criteria, forWrite: false, cancellationToken);
        return matches.Count switch
        {
            1 => resolvedConditionals[key] = $"{type}/{matches[0].Id}",
            0 => throw FhirException.Unprocessable($"The conditional reference to {type} matches no resource."),
            _ => throw FhirException.PreconditionFailed($"The conditional reference to {type} matches more than one resource."),
        };
    }

    private async Task EnsureExistsAsync(string type, string id, string from, CancellationToken cancellationToken)
    {
        var key = $"{type}/{id}";
        if (knownTargets.Contains(key))
        {
            return;
        }

        var target = await ReadVisibleAsync(type, id, cancellationToken);
        if (target is null || target.Deleted)
        {
            throw FhirException.Unprocessable($"A {from} refers to {type}/{id}, which does not exist here.");
        }

        knownTargets.Add(key);
    }

    // Stored and printed times must agree, and FHIR instants are printed to the millisecond.
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
