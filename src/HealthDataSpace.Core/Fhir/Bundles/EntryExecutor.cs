using System.Globalization;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Bundles;

/// <summary>Carries out one bundle entry inside its transaction's session (a batch entry: inside its own savepoint).</summary>
internal sealed class EntryExecutor(ResourceWriter writer, bool returnRepresentation)
{
    /// <summary>
    /// Fixes the id a POST or PUT entry will write to. Returns a finished response entry when nothing is to be
    /// written (a conditional create that matched an existing resource).
    /// </summary>
    public async Task<Bundle.EntryComponent?> AssignIdAsync(BundleEntryRequest request, Dictionary<string, string> conditionalCreates,
        CancellationToken cancellationToken)
    {
        if (request.Method == Bundle.HTTPVerb.POST)
        {
            if (!string.IsNullOrWhiteSpace(request.IfNoneExist))
            {
                var key = ResourceWriter.CriteriaKey(request.Type, request.IfNoneExist);
                if (conditionalCreates.TryGetValue(key, out var earlier))
                {
                    request.Id = earlier;
                    return Response("200 OK", await writer.Session.ReadAsync(request.Type, earlier, cancellationToken), $"{request.Type}/{earlier}");
                }

                var matches = await writer.MatchAsync(request.Type, request.IfNoneExist, forWrite: true, cancellationToken);
                if (matches.Count > 1)
                {
                    throw FhirException.PreconditionFailed("ifNoneExist matches more than one resource.");
                }

                if (matches.Count == 1)
                {
                    request.Id = matches[0].Id;
                    return Response("200 OK", matches[0], null);
                }

                request.Id = ResourceWriter.NewId();
                conditionalCreates[key] = request.Id;
            }
            else
            {
                request.Id = ResourceWriter.NewId();
            }
        }
        else if (request.Id is null)
        {
            var matches = await writer.MatchAsync(request.Type, request.Query!, forWrite: true, cancellationToken);
            request.Id = matches.Count switch
            {
                0 => request.Resource!.Id is { } given && Search.ReferenceParser.IsValidId(given) ? given : ResourceWriter.NewId(),
                1 => matches[0].Id,
                _ => throw FhirException.PreconditionFailed("The conditional update matches more than one resource."),
            };
        }

        writer.Expect(request.Type, request.Id!);
        return null;
    }

    public async Task<Bundle.EntryComponent> WriteAsync(BundleEntryRequest request, CancellationToken cancellationToken)
    {
        var resource = request.Resource!;
        if (request.Method == Bundle.HTTPVerb.POST)
        {
            await writer.ResolveReferencesAsync(resource, cancellationToken);
            var created = await writer.WriteAsync(resource, request.Id!, null, "POST", cancellationToken);
            return Response("201 Created", created, null);
        }

        // Conditional PUT takes the matched id; the body's id (if any) must agree with it, as for a plain PUT.
        if (request.Query is not null && resource.Id is null)
        {
            resource.Id = request.Id;
        }

        var outcome = await FhirService.UpdateInSessionAsync(writer, request.Type, request.Id!, resource, request.IfMatch, cancellationToken);
        return Response(outcome.Created ? "201 Created" : "200 OK", outcome.Resource, null);
    }

    public async Task<Bundle.EntryComponent> DeleteAsync(BundleEntryRequest request, CancellationToken cancellationToken)
    {
        if (request.Id is null)
        {
            var matches = await writer.MatchAsync(request.Type, request.Query!, forWrite: true, cancellationToken);
            if (matches.Count > 1)
            {
                throw FhirException.PreconditionFailed("The conditional delete matches more than one resource.");
            }

            request.Id = matches.Count == 1 ? matches[0].Id : null;
        }

        if (request.Id is not null)
        {
            await FhirService.DeleteInSessionAsync(writer, request.Type, request.Id, request.IfMatch, cancellationToken);
        }

        return new Bundle.EntryComponent { Response = new Bundle.ResponseComponent { Status = "204 No Content" } };
    }

    public async Task<Bundle.EntryComponent> ReadAsync(BundleEntryRequest request, CancellationToken cancellationToken)
    {
        if (request.Id is null)
        {
            throw FhirException.NotSupported("Searches inside bundles are not supported; search with GET /fhir/{type}.");
        }

        var current = await writer.ReadVisibleAsync(request.Type, request.Id, cancellationToken);
        if (current is not null && request.Version is not null)
        {
            current = long.TryParse(request.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? await writer.Session.ReadVersionAsync(request.Type, request.Id, v, cancellationToken)
                : null;
        }

        if (current is null)
        {
            throw FhirException.NotFound($"{request.Type}/{request.Id} is not known.");
        }

        if (current.Deleted)
        {
            throw FhirException.Gone($"{request.Type}/{request.Id} was deleted.");
        }

        var entry = Response("200 OK", current, null);
        entry.Resource = FhirJson.ParseResource(System.Text.Encoding.UTF8.GetBytes(current.Json!));
        entry.FullUrl = $"{writer.Context.BaseUrl}/{current.Type}/{current.Id}";
        return entry;
    }

    public static Bundle.EntryComponent Failure(FhirException error) => new()
    {
        Response = new Bundle.ResponseComponent
        {
            Status = $"{error.Status.ToString(CultureInfo.InvariantCulture)}",
            Outcome = OperationOutcomes.From(error),
        },
    };

    private Bundle.EntryComponent Response(string status, StoredResource? stored, string? fallbackLocation)
    {
        var entry = new Bundle.EntryComponent { Response = new Bundle.ResponseComponent { Status = status } };
        if (stored is null)
        {
            entry.Response.Location = fallbackLocation;
            return entry;
        }

        entry.FullUrl = $"{writer.Context.BaseUrl}/{stored.Type}/{stored.Id}";
        entry.Response.Location = $"{stored.Type}/{stored.Id}/_history/{stored.Version.ToString(CultureInfo.InvariantCulture)}";
        entry.Response.Etag = stored.ETag;
        entry.Response.LastModified = stored.LastUpdated;
        if (returnRepresentation && stored.Json is not null)
        {
            entry.Resource = FhirJson.ParseResource(System.Text.Encoding.UTF8.GetBytes(stored.Json));
        }

        return entry;
    }
}
