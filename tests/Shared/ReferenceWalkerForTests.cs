using System.Collections;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Tests.Common;

/// <summary>
/// An independent walk over a resource's references, written separately from the engine's own so that a bug in
/// the engine's walker cannot hide a reference from the test.
/// </summary>
public static class ReferenceWalkerForTests
{
    public static List<ResourceReference> FindAll(Base root) => [.. Descendants(root).OfType<ResourceReference>()];

    /// <summary>The root and every element below it, nested resources included.</summary>
    public static IEnumerable<Base> Descendants(Base root)
    {
        var stack = new Stack<Base>([root]);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            foreach (var child in node.EnumerateElements().Select(p => p.Value))
            {
                if (child is Base b)
                {
                    stack.Push(b);
                }
                else if (child is IEnumerable list and not string)
                {
                    foreach (var item in list.OfType<Base>())
                    {
                        stack.Push(item);
                    }
                }
            }
        }
    }
}
