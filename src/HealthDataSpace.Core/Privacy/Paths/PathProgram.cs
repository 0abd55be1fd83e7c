namespace HealthDataSpace.Core.Privacy;

/// <summary>Where a compiled path starts: at the resource, or at every node of a type or name inside it.</summary>
internal enum PathStart
{
    Resource,
    NodesByType,
    NodesByName,
}

/// <summary>One navigation step of a compiled path.</summary>
internal abstract class PathStep
{
    /// <summary>Continues <paramref name="program"/> at step <paramref name="next"/> from every node this step leads to.</summary>
    public abstract void Apply(FhirNode node, PathProgram program, int next, List<FhirNode> output);
}

/// <summary><c>.name</c>: children of that element name (a choice element under its plain name).</summary>
internal sealed class ChildStep(string name) : PathStep
{
    public string Name { get; } = name;

    public override void Apply(FhirNode node, PathProgram program, int next, List<FhirNode> output)
    {
        if (node.Children is not { } children)
        {
            return;
        }

        // Index loop: processors never add or remove siblings while a path is being evaluated.
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (child.Name == Name)
            {
                program.RunFrom(child, next, output);
            }
        }
    }
}

/// <summary>
/// A resource's type name as the first step (<c>Condition.abatement</c> evaluated on a Condition), or
/// <c>ofType(T)</c> / <c>as T</c>: keeps nodes of that instance type.
/// </summary>
internal sealed class TypeStep(string typeName) : PathStep
{
    public override void Apply(FhirNode node, PathProgram program, int next, List<FhirNode> output)
    {
        if (Matches(node, typeName))
        {
            program.RunFrom(node, next, output);
        }
    }

    internal static bool Matches(FhirNode node, string typeName) =>
        node.InstanceType == typeName
        || (node.IsResource && (typeName == "Resource" || (typeName == "DomainResource" && node.InstanceType is not ("Bundle" or "Binary" or "Parameters"))));
}

/// <summary><c>.where(...)</c> with a predicate the compiler understood.</summary>
internal sealed class WhereStep(NodePredicate predicate) : PathStep
{
    public override void Apply(FhirNode node, PathProgram program, int next, List<FhirNode> output)
    {
        if (predicate.Test(node))
        {
            program.RunFrom(node, next, output);
        }
    }
}

/// <summary>A compiled path: a start and a chain of steps, run depth-first without intermediate lists.</summary>
internal sealed class PathProgram(PathStart start, string? startKey, bool includeSelf, IReadOnlyList<PathStep> steps)
{
    public PathStart Start { get; } = start;

    /// <summary>The type or name for <see cref="PathStart.NodesByType"/> and <see cref="PathStart.NodesByName"/>.</summary>
    public string? StartKey { get; } = startKey;

    /// <summary>The FHIRPath form of nodesByType includes the focus itself; the anonymizer's cached shortcut does not.</summary>
    public bool IncludeSelf { get; } = includeSelf;

    public IReadOnlyList<PathStep> Steps { get; } = steps;

    public PathProgram Then(PathStep step) => new(Start, StartKey, IncludeSelf, [.. Steps, step]);

    public void Run(FhirNode resource, ResourceNodeIndex index, List<FhirNode> found)
    {
        switch (Start)
        {
            case PathStart.Resource:
                RunFrom(resource, 0, found);
                break;
            case PathStart.NodesByType:
                if (IncludeSelf && resource.InstanceType == StartKey)
                {
                    RunFrom(resource, 0, found);
                }

                RunFromEach(index.ByType(StartKey!), found);

                break;
            default:
                if (IncludeSelf && resource.Name == StartKey)
                {
                    RunFrom(resource, 0, found);
                }

                RunFromEach(index.ByName(StartKey!), found);

                break;
        }
    }

    /// <summary>An indexed loop: foreach over the interface would box an enumerator per rule and resource.</summary>
    private void RunFromEach(IReadOnlyList<FhirNode> nodes, List<FhirNode> found)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            RunFrom(nodes[i], 0, found);
        }
    }

    internal void RunFrom(FhirNode node, int step, List<FhirNode> found)
    {
        if (step == Steps.Count)
        {
            found.Add(node);
            return;
        }

        Steps[step].Apply(node, this, step + 1, found);
    }
}
