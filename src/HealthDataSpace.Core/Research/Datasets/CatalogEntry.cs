using System.Globalization;
using System.Text.Json.Nodes;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// The HealthDCAT-AP (DCAT-AP 3 health extension) description of a delivered dataset, as JSON-LD: title, description,
/// publisher, temporal coverage (whole years), number of records and of unique individuals, typical age range, coding
/// systems (Wikidata URIs where HealthDCAT-AP asks for them, else the FHIR system), access rights (non-public), the
/// purpose and the permit it was released under, and the distributions (NDJSON, Parquet).
/// </summary>
internal static class CatalogEntry
{
    public const string FileName = "catalog-entry.jsonld";
    public const string Publisher = "HealthDataSpace gateway";

    public static JsonObject Context() => new()
    {
        ["dcat"] = "http://www.w3.org/ns/dcat#",
        ["dct"] = "http://purl.org/dc/terms/",
        ["foaf"] = "http://xmlns.com/foaf/0.1/",
        ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
        ["dpv"] = "https://w3id.org/dpv#",
        ["odrl"] = "http://www.w3.org/ns/odrl/2/",
        ["healthdcatap"] = "http://healthdataportal.eu/ns/health#",
    };

    /// <summary>Coding systems HealthDCAT-AP names by their Wikidata property.</summary>
    private static readonly Dictionary<string, string> Wikidata = new(StringComparer.Ordinal)
    {
        ["http://loinc.org"] = "https://www.wikidata.org/entity/P4338",
        ["http://snomed.info/sct"] = "https://www.wikidata.org/entity/P5806",
        ["http://hl7.org/fhir/sid/icd-10"] = "https://www.wikidata.org/entity/P494",
        ["http://hl7.org/fhir/sid/icd-10-cm"] = "https://www.wikidata.org/entity/P4229",
        ["http://www.nlm.nih.gov/research/umls/rxnorm"] = "https://www.wikidata.org/entity/P3345",
        ["http://www.whocc.no/atc"] = "https://www.wikidata.org/entity/P267",
    };

    public static string Build(ExportRequest request, ExportStatistics stats, IEnumerable<int?> birthYears, DatasetFolder folder, DateTimeOffset now)
    {
        var permit = request.Permit;
        var ages = birthYears.OfType<int>().Select(year => now.Year - year).ToList();
        var entry = new JsonObject
        {
            ["@context"] = Context(),
            ["@id"] = $"urn:healthdataspace:dataset:{request.DatasetId}",
            ["@type"] = "dcat:Dataset",
            ["dct:identifier"] = request.DatasetId,
            ["dct:title"] = permit.Title,
            ["dct:description"] = string.Create(CultureInfo.InvariantCulture,
                $"Pseudonymised FHIR R4 data (Bulk Data NDJSON and Parquet tables) of {string.Join(", ", permit.ResourceTypes)} released for project {permit.Project} under data permit {permit.Id}: consenting patients only, de-identified with policy {permit.Policy}, k-anonymity checked."),
            ["dct:publisher"] = new JsonObject { ["@type"] = "foaf:Agent", ["foaf:name"] = Publisher },
            ["dct:issued"] = Typed(now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), "xsd:dateTime"),
            ["dct:accessRights"] = new JsonObject { ["@id"] = "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC" },
            ["dpv:hasPurpose"] = new JsonObject { ["@id"] = $"http://terminology.hl7.org/CodeSystem/v3-ActReason#{permit.Purpose}" },
            ["odrl:hasPolicy"] = new JsonObject { ["@id"] = $"urn:healthdataspace:permit:{permit.Id}", ["@type"] = "odrl:Agreement" },
            ["healthdcatap:numberOfRecords"] = Typed(stats.Records.ToString(CultureInfo.InvariantCulture), "xsd:nonNegativeInteger"),
            ["healthdcatap:numberOfUniqueIndividuals"] =
                Typed(stats.ResourcesByType.GetValueOrDefault("Patient").ToString(CultureInfo.InvariantCulture), "xsd:nonNegativeInteger"),
            ["healthdcatap:hasCodingSystem"] = new JsonArray([.. stats.CodingSystems.Select(s => (JsonNode)new JsonObject
            {
                ["@id"] = Wikidata.GetValueOrDefault(s, s),
            })]),
            ["dcat:distribution"] = new JsonArray(
                Distribution(folder, DatasetManifest.FileName, "application/fhir+ndjson"),
                Distribution(folder, "tables", "application/vnd.apache.parquet")),
        };
        if (ages.Count > 0)
        {
            entry["healthdcatap:minTypicalAge"] = Typed(Math.Max(0, ages.Min()).ToString(CultureInfo.InvariantCulture), "xsd:nonNegativeInteger");
            entry["healthdcatap:maxTypicalAge"] = Typed(Math.Max(0, ages.Max()).ToString(CultureInfo.InvariantCulture), "xsd:nonNegativeInteger");
        }

        if (stats.Years is { } years)
        {
            entry["dct:temporal"] = new JsonObject
            {
                ["@type"] = "dct:PeriodOfTime",
                ["dcat:startDate"] = Typed($"{years.From:D4}-01-01", "xsd:date"),
                ["dcat:endDate"] = Typed($"{years.To:D4}-12-31", "xsd:date"),
            };
        }

        return entry.ToJsonString(DatasetManifest.Json);
    }

    private static JsonObject Typed(string value, string type) => new() { ["@value"] = value, ["@type"] = type };

    private static JsonObject Distribution(DatasetFolder folder, string path, string mediaType) => new()
    {
        ["@type"] = "dcat:Distribution",
        ["dcat:accessURL"] = new JsonObject { ["@id"] = folder.Locate(path) },
        ["dcat:mediaType"] = mediaType,
    };
}
