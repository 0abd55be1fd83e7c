using System.Collections;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// Finds every <see cref="ResourceReference"/> of a resource, its contained resources included. Resources nested in
/// other ways (a Bundle's entries, a Parameters' resources) keep their own reference context and are not walked.
/// </summary>
internal static class ReferenceWalker
{
    public static List<ResourceReference> FindAll(Resource resource)
    {
        var found = new List<ResourceReference>();
        Walk(resource, found, depth: 0);
        return found;
    }

    private static void Walk(Base node, List<ResourceReference> found, int depth)
    {
        // FHIR nesting is shallow in practice; the bound only protects against pathological input.
        if (depth > 64)
        {
            return;
        }

        if (node is ResourceReference reference)
        {
            found.Add(reference);
        }

        foreach (var (name, value) in node.EnumerateElements())
        {
            switch (value)
            {
                case PrimitiveType:
                case Resource when name != "contained":
                    break;
                case Base child:
                    Walk(child, found, depth + 1);
                    break;
                case IEnumerable many and not string:
                    foreach (var item in many)
                    {
                        if (item is Base b and not PrimitiveType && (item is not Resource || name == "contained"))
                        {
                            Walk(b, found, depth + 1);
                        }
                    }

                    break;
            }
        }
    }
}
