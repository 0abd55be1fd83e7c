using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// Writes searchset and history bundles straight from stored JSON: resources are copied as raw JSON rather than
/// parsed and re-serialised, which is what keeps large searches cheap.
/// </summary>
public static class BundleJsonWriter
{
    // FHIR JSON is read by machines and people; '+' and '&' in timestamps and URLs need no \u escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed record Link(string Relation, string Url);

    public static byte[] Searchset(int total, IReadOnlyList<StoredResource> resources, IEnumerable<Link> links, string baseUrl) =>
        Write("searchset", total, links, resources.Count, writer =>
        {
            foreach (var resource in resources)
            {
                writer.WriteStartObject();
                writer.WriteString("fullUrl", $"{baseUrl}/{resource.Type}/{resource.Id}");
                writer.WritePropertyName("resource");
                writer.WriteRawValue(resource.Json!, skipInputValidation: true);
                writer.WriteStartObject("search");
                writer.WriteString("mode", "match");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
        });

    public static byte[] History(int total, IReadOnlyList<StoredResource> versions, IEnumerable<Link> links, string baseUrl) =>
        Write("history", total, links, versions.Count, writer =>
        {
            foreach (var version in versions)
            {
                writer.WriteStartObject();
                writer.WriteString("fullUrl", $"{baseUrl}/{version.Type}/{version.Id}");
                if (version.Json is not null)
                {
                    writer.WritePropertyName("resource");
                    writer.WriteRawValue(version.Json, skipInputValidation: true);
                }

                writer.WriteStartObject("request");
                writer.WriteString("method", version.Method);
                writer.WriteString("url", version.Method == "POST" ? version.Type : $"{version.Type}/{version.Id}");
                writer.WriteEndObject();
                writer.WriteStartObject("response");
                writer.WriteString("status", version.Deleted ? "204" : version.Version == 1 ? "201" : "200");
                writer.WriteString("etag", version.ETag);
                writer.WriteString("lastModified", Instant(version.LastUpdated));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
        });

    private static byte[] Write(string type, int total, IEnumerable<Link> links, int entryCount, Action<Utf8JsonWriter> entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("resourceType", "Bundle");
            writer.WriteString("id", Guid.NewGuid().ToString());
            writer.WriteStartObject("meta");
            writer.WriteString("lastUpdated", Instant(DateTimeOffset.UtcNow));
            writer.WriteEndObject();
            writer.WriteString("type", type);
            writer.WriteNumber("total", total);
            // FHIR JSON forbids empty arrays, so "link" and "entry" appear only when they have members.
            var linkList = links.ToList();
            if (linkList.Count > 0)
            {
                writer.WriteStartArray("link");
                foreach (var link in linkList)
                {
                    writer.WriteStartObject();
                    writer.WriteString("relation", link.Relation);
                    writer.WriteString("url", link.Url);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (entryCount > 0)
            {
                writer.WriteStartArray("entry");
                entries(writer);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
