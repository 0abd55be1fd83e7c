using System.Text.RegularExpressions;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>Parses the simple-path subset of FHIRPath that search parameter expressions use.</summary>
internal static partial class PathPlanParser
{
    public static PathPlan.Step[]? TryParse(string branch)
    {
        var text = branch.Trim();
        var steps = new List<PathPlan.Step>();
        if (text.StartsWith('('))
        {
            var close = MatchingParen(text, 0);
            if (close < 0)
            {
                return null;
            }

            var inner = AsCast().Match(text[1..close]);
            if (!inner.Success || !TryParsePath(inner.Groups["path"].Value, steps, skipRoot: true))
            {
                return null;
            }

            steps.Add(new PathPlan.OfTypeStep(inner.Groups["type"].Value));
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith('.') || !TryParsePath(rest[1..], steps, skipRoot: false)))
            {
                return null;
            }

            return [.. steps];
        }

        return TryParsePath(text, steps, skipRoot: true) ? [.. steps] : null;
    }

    private static bool TryParsePath(string path, List<PathPlan.Step> steps, bool skipRoot)
    {
        var segments = SplitTopLevel(path);
        if (segments is null || segments.Count == 0)
        {
            return false;
        }

        for (var i = skipRoot ? 1 : 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            Match m;
            if (Identifier().IsMatch(segment))
            {
                steps.Add(new PathPlan.ChildStep(segment));
            }
            else if ((m = ResolveIs().Match(segment)).Success)
            {
                steps.Add(new PathPlan.ReferenceTypeStep(m.Groups["type"].Value));
            }
            else if ((m = WhereEquals().Match(segment)).Success)
            {
                steps.Add(new PathPlan.WhereEqualsStep(m.Groups["child"].Value, m.Groups["literal"].Value));
            }
            else if ((m = AsFunction().Match(segment)).Success)
            {
                steps.Add(new PathPlan.OfTypeStep(m.Groups["type"].Value));
            }
            else
            {
                return false;
            }
        }

        return skipRoot ? char.IsAsciiLetterUpper(segments[0][0]) && Identifier().IsMatch(segments[0]) : true;
    }

    private static List<string>? SplitTopLevel(string path)
    {
        var result = SplitOutsideParentheses(path, '.');
        return result is not null && result.TrueForAll(s => s.Length > 0) ? result : null;
    }

    internal static int MatchingParen(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Splits an expression on '|' outside parentheses: each branch is one path.</summary>
    internal static IEnumerable<string> SplitUnion(string expression) =>
        SplitOutsideParentheses(expression, '|') ?? [expression];

    /// <summary>Splits on a separator that is not inside parentheses; null when the parentheses do not balance.</summary>
    private static List<string>? SplitOutsideParentheses(string text, char separator)
    {
        var result = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
            else if (text[i] == separator && depth == 0)
            {
                result.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        result.Add(text[start..].Trim());
        return depth == 0 ? result : null;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(?<path>[A-Za-z][A-Za-z0-9_.]*) as (?<type>[A-Za-z]+)$")]
    private static partial Regex AsCast();

    [GeneratedRegex(@"^where\(resolve\(\) is (?<type>[A-Za-z]+)\)$")]
    private static partial Regex ResolveIs();

    [GeneratedRegex(@"^where\((?<child>[a-z][A-Za-z]*)\s*=\s*'(?<literal>[^']*)'\)$")]
    private static partial Regex WhereEquals();

    [GeneratedRegex(@"^(as|ofType)\((?<type>[A-Za-z]+)\)$")]
    private static partial Regex AsFunction();
}
