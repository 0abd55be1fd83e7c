using System.Collections.Frozen;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The nodes of one resource by instance type and by element name, not entering nested resources, built in one walk
/// before the resource's rules run (as the anonymizer caches them). Only types and names some rule asks for are kept.
/// </summary>
internal sealed class ResourceNodeIndex(FrozenSet<string> types, FrozenSet<string> names)
{
    private readonly Dictionary<string, List<FhirNode>> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<FhirNode>> _byName = new(StringComparer.Ordinal);

    /// <summary>Whether this index serves the given sets (an engine reuses a thread's index only when it was built for it).</summary>
    public bool Serves(FrozenSet<string> typeSet, FrozenSet<string> nameSet) => ReferenceEquals(types, typeSet) && ReferenceEquals(names, nameSet);

    /// <summary>Forgets every node (keeping the lists), so a reused index holds no tree alive between runs.</summary>
    public void Clear()
    {
        foreach (var list in _byType.Values)
        {
            list.Clear();
        }

        foreach (var list in _byName.Values)
        {
            list.Clear();
        }
    }

    public void Build(FhirNode resource)
    {
        Clear();
        if (types.Count + names.Count > 0)
        {
            Walk(resource);
        }
    }

    public IReadOnlyList<FhirNode> ByType(string type) => _byType.TryGetValue(type, out var list) ? list : [];

    public IReadOnlyList<FhirNode> ByName(string name) => _byName.TryGetValue(name, out var list) ? list : [];

    private void Walk(FhirNode node)
    {
        if (node.Children is not { } children)
        {
            return;
        }

        foreach (var child in children)
        {
            if (types.Contains(child.InstanceType))
            {
                Slot(_byType, child.InstanceType).Add(child);
            }

            if (names.Contains(child.Name))
            {
                Slot(_byName, child.Name).Add(child);
            }

            if (!child.IsResource)
            {
                Walk(child);
            }
        }
    }

    private static List<FhirNode> Slot(Dictionary<string, List<FhirNode>> map, string key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        return list;
    }
}
