namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Finds, before any rule runs, whose record each resource belongs to, so a project's date shift is per patient:
/// a Patient is itself; any other resource belongs to the first patient it references (a literal
/// <c>Patient/id</c>, or a bundle entry's <c>urn:uuid</c> that holds a Patient); a contained resource without one
/// belongs to its container's patient; anything else is its own key (<c>Organization/id</c>). Keys use the original
/// ids, as <see cref="PseudonymDomain.ShiftFor"/> expects.
/// </summary>
internal static class PatientKeys
{
    public static Dictionary<FhirNode, string> Assign(FhirNode root)
    {
        var keys = new Dictionary<FhirNode, string>(ReferenceEqualityComparer.Instance);
        var patientsByFullUrl = new Dictionary<string, string>(StringComparer.Ordinal);
        var resources = new List<(FhirNode Resource, string? FullUrl)>();
        Collect(root, fullUrl: null, resources);

        foreach (var (resource, fullUrl) in resources)
        {
            if (resource.InstanceType == "Patient")
            {
                var key = "Patient/" + (resource.FirstChild("id")?.Value ?? UuidOf(fullUrl) ?? string.Empty);
                keys[resource] = key;
                if (fullUrl is not null)
                {
                    patientsByFullUrl[fullUrl] = key;
                }
            }
        }

        foreach (var (resource, fullUrl) in resources)
        {
            if (keys.ContainsKey(resource))
            {
                continue;
            }

            keys[resource] = FirstPatientReference(resource, patientsByFullUrl)
                ?? (resource.Name == "contained" && resource.Parent is { } container && keys.TryGetValue(container.Resource, out var containerKey)
                    ? containerKey
                    : $"{resource.InstanceType}/{resource.FirstChild("id")?.Value ?? UuidOf(fullUrl)}");
        }

        return keys;
    }

    private static void Collect(FhirNode node, string? fullUrl, List<(FhirNode, string?)> resources)
    {
        if (node.IsResource)
        {
            resources.Add((node, fullUrl));
        }

        foreach (var child in node.Children ?? [])
        {
            if (child.IsResource)
            {
                var entryUrl = child.Name == "resource" && child.Parent is { Name: "entry" } entry ? entry.FirstChild("fullUrl")?.Value : null;
                Collect(child, entryUrl, resources);
            }
            else if (!child.Type.IsPrimitive)
            {
                Collect(child, fullUrl: null, resources);
            }
        }
    }

    private static string? FirstPatientReference(FhirNode node, Dictionary<string, string> patientsByFullUrl)
    {
        foreach (var child in node.Children ?? [])
        {
            if (child.IsResource || child.Type.IsPrimitive)
            {
                continue;
            }

            if (child.InstanceType == "Reference" && child.FirstChild("reference")?.Value is { } reference)
            {
                if (patientsByFullUrl.TryGetValue(reference, out var key))
                {
                    return key;
                }

                var at = reference.LastIndexOf("Patient/", StringComparison.Ordinal);
                if (at >= 0 && (at == 0 || reference[at - 1] == '/') && reference.Length > at + 8 && !reference.AsSpan(at + 8).Contains('/'))
                {
                    return reference[at..];
                }
            }

            if (FirstPatientReference(child, patientsByFullUrl) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? UuidOf(string? fullUrl) =>
        fullUrl is not null && fullUrl.StartsWith("urn:uuid:", StringComparison.Ordinal) ? fullUrl[9..] : fullUrl;
}
