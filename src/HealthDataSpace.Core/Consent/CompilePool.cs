using Hl7.Fhir.Serialization;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// Shares identical compiled sets between consents. Consents are written from a few templates (a region's research
/// consent, $opt-in/$opt-out), so thousands of patients hold the same purpose, class, actor and label sets; sharing
/// them keeps the index small and those sets in cache, which is what a decision costs at scale (a cold index answers
/// several times slower than a warm one). Not thread-safe: used only under the index's write lock. It only grows, by
/// distinct sets, which stay few.
/// <para>Whole provision trees are shared the same way, keyed by their JSON: the tree carries no consent identity
/// (the consent holds its own decisions per tree node).</para>
/// </summary>
internal sealed class CompilePool
{
    private readonly Dictionary<string, HashSet<string>> _sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledProvision[]> _trees = new(StringComparer.Ordinal);

    /// <summary>The compiled tree of a provision, in pre-order (the root first).</summary>
    public CompiledProvision[] Tree(Hl7.Fhir.Model.Consent.provisionComponent? provision, bool rootPermit)
    {
        var key = (rootPermit ? "permit:" : "deny:") + (provision is null ? string.Empty : provision.ToJson());
        if (_trees.TryGetValue(key, out var shared))
        {
            return shared;
        }

        var nodes = new List<CompiledProvision>();
        _ = new CompiledProvision(provision, rootPermit, "provision", nodes, this);
        var tree = nodes.ToArray();
        _trees.Add(key, tree);
        return tree;
    }

    public HashSet<string> Share(HashSet<string> set)
    {
        var items = set.ToArray();
        Array.Sort(items, StringComparer.Ordinal);
        var key = string.Join('\n', items);
        if (_sets.TryGetValue(key, out var shared))
        {
            return shared;
        }

        _sets.Add(key, set);
        return set;
    }
}
