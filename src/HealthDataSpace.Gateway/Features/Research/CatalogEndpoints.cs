using System.Text.Json.Nodes;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// <c>GET /research/catalog</c>: the HealthDCAT-AP catalogue (JSON-LD) of delivered datasets. Stewards see every
/// dataset; researchers see those of permits that name them.
/// </summary>
internal static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/research/catalog", async (HttpContext http, IDatasetStore datasets, IPermitStore permits) =>
            {
                var caller = http.User.ToCaller();
                var visible = caller.IsSteward
                    ? null
                    : (await permits.ListAsync(http.RequestAborted)).Where(p => p.Researchers.Contains(caller.Subject, StringComparer.Ordinal))
                        .Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
                var entries = new JsonArray();
                foreach (var dataset in await datasets.ListDatasetsAsync(http.RequestAborted))
                {
                    if (visible is null || visible.Contains(dataset.PermitId))
                    {
                        var entry = JsonNode.Parse(dataset.CatalogEntry)!.AsObject();
                        entry.Remove("@context");
                        entries.Add(entry);
                    }
                }

                var catalog = new JsonObject
                {
                    ["@context"] = CatalogEntry.Context(),
                    ["@type"] = "dcat:Catalog",
                    ["dct:title"] = "HealthDataSpace research datasets",
                    ["dct:publisher"] = new JsonObject { ["@type"] = "foaf:Agent", ["foaf:name"] = CatalogEntry.Publisher },
                    ["dcat:dataset"] = entries,
                };
                return Results.Content(catalog.ToJsonString(DatasetManifest.Json), "application/ld+json");
            })
            .RequireAuthorization(GatewayPolicies.ResearcherOrSteward);
        return app;
    }
}
