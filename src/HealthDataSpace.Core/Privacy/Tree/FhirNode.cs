namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// A node of the mutable, typed FHIR element tree the engine works on: one per element (a primitive's id and
/// extensions are its children, as in FHIRPath). Built straight from JSON, written straight back, so the engine pays
/// neither for POCOs nor for a general element model.
/// </summary>
internal sealed class FhirNode
{
    public FhirNode(string name, string jsonName, FhirTypeInfo type, bool inCollection, FhirNode? parent)
    {
        Name = name;
        JsonName = jsonName;
        Type = type;
        InCollection = inCollection;
        Parent = parent;
    }

    /// <summary>Element name as FHIRPath sees it (<c>value</c> for <c>valueQuantity</c>).</summary>
    public string Name { get; }

    /// <summary>Property name in JSON (<c>valueQuantity</c>).</summary>
    public string JsonName { get; }

    public FhirTypeInfo Type { get; }

    /// <summary>The anonymizer's instance type: <c>HumanName</c>, <c>dateTime</c>, <c>Patient</c>, <c>BackboneElement</c>.</summary>
    public string InstanceType => Type.Name;

    public bool IsResource => Type.IsResource;

    /// <summary>Whether the element is declared as a list (written as a JSON array).</summary>
    public bool InCollection { get; }

    public FhirNode? Parent { get; set; }

    public List<FhirNode>? Children { get; set; }

    /// <summary>A primitive's value as FHIR JSON text (numbers and booleans as their literal); null when absent.</summary>
    public string? Value { get; set; }

    /// <summary>Index of the rule that processed this node, or -1. A processed node is left alone by later rules.</summary>
    public int VisitedBy { get; set; } = -1;

    public bool Visited => VisitedBy >= 0;

    public void Add(FhirNode child)
    {
        child.Parent = this;
        (Children ??= []).Add(child);
    }

    public FhirNode? FirstChild(string name)
    {
        if (Children is null)
        {
            return null;
        }

        foreach (var child in Children)
        {
            if (ReferenceEquals(child.Name, name) || child.Name == name)
            {
                return child;
            }
        }

        return null;
    }

    /// <summary>The resource this node belongs to (itself when it is one).</summary>
    public FhirNode Resource
    {
        get
        {
            var node = this;
            while (!node.IsResource && node.Parent is not null)
            {
                node = node.Parent;
            }

            return node;
        }
    }

    /// <summary>The outermost node (the file's resource).</summary>
    public FhirNode Root
    {
        get
        {
            var node = this;
            while (node.Parent is not null)
            {
                node = node.Parent;
            }

            return node;
        }
    }

    public override string ToString() => $"{Name}:{InstanceType}";
}
