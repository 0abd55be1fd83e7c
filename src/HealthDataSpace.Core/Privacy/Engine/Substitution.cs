namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The substitute method as the anonymizer does it: the node takes the replacement's value and children, except that
/// nodes an earlier rule already processed (and their ancestors) are kept, so earlier rules' results survive; the
/// whole substituted fragment is then marked processed.
/// </summary>
internal static class Substitution
{
    public static ProcessedOperations Apply(FhirNode node, SubstituteSettings settings)
    {
        FhirNode replacement;
        if (node.Type.IsPrimitive)
        {
            replacement = new FhirNode(node.Name, node.JsonName, node.Type, node.InCollection, parent: null) { Value = settings.Text };
        }
        else
        {
            replacement = settings.FragmentFor(node.Type);
        }

        var keep = new HashSet<FhirNode>(ReferenceEqualityComparer.Instance);
        CollectKept(node, keep);
        Substitute(node, replacement, keep);
        MarkProcessed(node, settings.Rule.Index);
        return ProcessedOperations.Substitute;
    }

    private static bool CollectKept(FhirNode node, HashSet<FhirNode> keep)
    {
        var anyKept = false;
        foreach (var child in node.Children ?? [])
        {
            anyKept |= CollectKept(child, keep);
        }

        if (anyKept || node.Visited)
        {
            keep.Add(node);
            return true;
        }

        return false;
    }

    private static void Substitute(FhirNode node, FhirNode replacement, HashSet<FhirNode> keep)
    {
        if (node.Visited)
        {
            return;
        }

        var children = node.Children ?? [];
        var replacedNames = new List<string>();
        foreach (var target in replacement.Children ?? [])
        {
            if (!replacedNames.Contains(target.Name))
            {
                replacedNames.Add(target.Name);
            }
        }

        foreach (var name in replacedNames)
        {
            var existing = children.Where(c => c.Name == name).ToList();
            var targets = replacement.Children!.Where(c => c.Name == name).ToList();
            var next = 0;
            foreach (var child in existing)
            {
                if (child.Visited)
                {
                    next++;
                }
                else if (next < targets.Count && targets[next].Type == child.Type)
                {
                    Substitute(child, targets[next++], keep);
                }
                else if (keep.Contains(child))
                {
                    Substitute(child, Dummy(child), keep);
                    next++;
                }
                else
                {
                    children.Remove(child);
                }
            }

            for (; next < targets.Count; next++)
            {
                node.Add(Copy(targets[next]));
            }
        }

        foreach (var child in children.Where(c => !replacedNames.Contains(c.Name)).ToList())
        {
            if (child.Visited)
            {
                continue;
            }

            if (keep.Contains(child))
            {
                Substitute(child, Dummy(child), keep);
            }
            else
            {
                children.Remove(child);
            }
        }

        node.Value = replacement.Value;
    }

    private static FhirNode Dummy(FhirNode like) => new(like.Name, like.JsonName, like.Type, like.InCollection, parent: null);

    private static FhirNode Copy(FhirNode source)
    {
        var copy = new FhirNode(source.Name, source.JsonName, source.Type, source.InCollection, parent: null) { Value = source.Value };
        foreach (var child in source.Children ?? [])
        {
            copy.Add(Copy(child));
        }

        return copy;
    }

    private static void MarkProcessed(FhirNode node, int ruleIndex)
    {
        if (!node.Visited)
        {
            node.VisitedBy = ruleIndex;
        }

        foreach (var child in node.Children ?? [])
        {
            MarkProcessed(child, ruleIndex);
        }
    }
}
