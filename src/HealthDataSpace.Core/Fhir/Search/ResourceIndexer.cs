using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>Extracts every search-index row for a resource, once per write.</summary>
public sealed class ResourceIndexer(SearchParameterRegistry registry)
{
    public IReadOnlyList<IndexEntry> Extract(Resource resource)
    {
        var entries = new List<IndexEntry>();
        var values = new List<Base>();
        foreach (var parameter in registry.For(resource.TypeName).Values)
        {
            foreach (var plan in parameter.Plans)
            {
                values.Clear();
                plan.Collect(resource, values);
                foreach (var value in values)
                {
                    IndexValueConverter.Add(parameter, value, entries);
                }
            }
        }

        return entries.Count < 2 ? entries : Deduplicate(entries);
    }

    /// <summary>Several paths can select the same value (name and family, say, per parameter they are distinct).</summary>
    private static List<IndexEntry> Deduplicate(List<IndexEntry> entries)
    {
        var seen = new HashSet<IndexEntry>(entries.Count);
        entries.RemoveAll(e => !seen.Add(e));
        return entries;
    }
}
