using System.Globalization;

namespace HealthDataSpace.Core.Privacy;

/// <summary>A <c>where(...)</c> condition compiled to plain comparisons on the element tree.</summary>
internal abstract class NodePredicate
{
    public abstract bool Test(FhirNode node);
}

/// <summary><c>a.b = 'literal'</c> (or <c>!=</c>): exactly one value at the relative path, compared as FHIRPath does.</summary>
internal sealed class EqualsPredicate(IReadOnlyList<string> path, object literal, bool negate) : NodePredicate
{
    public override bool Test(FhirNode node)
    {
        FhirNode? single = null;
        var count = 0;
        Collect(node, 0, ref single, ref count);
        if (count != 1 || single!.Value is null)
        {
            // An empty or multi-valued comparison is empty in FHIRPath, which where() treats as false.
            return false;
        }

        return Equal(single.Value, literal) != negate;
    }

    private void Collect(FhirNode node, int depth, ref FhirNode? single, ref int count)
    {
        if (depth == path.Count)
        {
            single = node;
            count++;
            return;
        }

        if (node.Children is null)
        {
            return;
        }

        foreach (var child in node.Children)
        {
            if (child.Name == path[depth])
            {
                Collect(child, depth + 1, ref single, ref count);
            }
        }
    }

    private static bool Equal(string value, object literal) => literal switch
    {
        string text => string.Equals(value, text, StringComparison.Ordinal),
        bool flag => string.Equals(value, flag ? "true" : "false", StringComparison.Ordinal),
        _ => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
             && number == Convert.ToDecimal(literal, CultureInfo.InvariantCulture),
    };
}

/// <summary><c>and</c> / <c>or</c> of two compiled conditions.</summary>
internal sealed class LogicalPredicate(NodePredicate left, NodePredicate right, bool isAnd) : NodePredicate
{
    public override bool Test(FhirNode node) => isAnd ? left.Test(node) && right.Test(node) : left.Test(node) || right.Test(node);
}
