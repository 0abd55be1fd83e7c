using System.Text.Json.Nodes;

namespace HealthDataSpace.Tests.Common;

/// <summary>One entry of a Synthea bundle as the identified store keeps it after ingest.</summary>
public sealed record SyntheaStoredResource(string Type, string Id, JsonObject Resource);

/// <summary>
/// The resources of a Synthea bundle as an export reads them from the store: every <c>urn:uuid:</c> reference to an
/// entry rewritten to that entry's <c>Type/id</c>, as ingest does (conditional references are left as they are).
/// Written apart from the gateway's bundle processor, so tests and benchmarks need no database.
/// </summary>
public static class SyntheaStoredResources
{
    public static IEnumerable<SyntheaStoredResource> FromBundle(byte[] bundleJson)
    {
        var bundle = JsonNode.Parse(bundleJson)!.AsObject();
        var entries = bundle["entry"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var byFullUrl = entries.ToDictionary(
            e => (string)e["fullUrl"]!,
            e => $"{(string)e["resource"]!["resourceType"]!}/{(string)e["resource"]!["id"]!}",
            StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var resource = entry["resource"]!.AsObject();
            RewriteReferences(resource, byFullUrl);
            yield return new SyntheaStoredResource((string)resource["resourceType"]!, (string)resource["id"]!, resource);
        }
    }

    private static void RewriteReferences(JsonNode? node, Dictionary<string, string> byFullUrl)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["reference"] is JsonValue value && value.TryGetValue<string>(out var reference) && byFullUrl.TryGetValue(reference, out var target))
                {
                    obj["reference"] = target;
                }

                foreach (var (_, child) in obj.ToList())
                {
                    RewriteReferences(child, byFullUrl);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RewriteReferences(item, byFullUrl);
                }

                break;
        }
    }
}
