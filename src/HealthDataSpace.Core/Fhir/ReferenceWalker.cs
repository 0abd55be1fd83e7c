using System.Collections;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>Finds every <see cref="ResourceReference"/> in a resource, contained resources included.</summary>
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

        foreach (var (_, value) in node.EnumerateElements())
        {
            switch (value)
            {
                case PrimitiveType:
                    break;
                case Base child:
                    Walk(child, found, depth + 1);
                    break;
                case IEnumerable many and not string:
                    foreach (var item in many)
                    {
                        if (item is Base b and not PrimitiveType)
                        {
                            Walk(b, found, depth + 1);
                        }
                    }

                    break;
            }
        }
    }
}
