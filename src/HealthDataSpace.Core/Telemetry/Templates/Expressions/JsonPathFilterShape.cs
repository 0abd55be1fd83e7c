using System.Text.RegularExpressions;

namespace HealthDataSpace.Core.Telemetry.Templates.Expressions;

/// <summary>
/// Reads the shape of a JSONPath filter well enough to know which property names a match needs: the tests
/// <c>@a.b</c> it makes, whether they are joined by "or", and whether it uses anything (negation, null, the root,
/// brackets) that makes such reasoning unsafe. Shared by the pre-filter and the recursive filter matcher.
/// </summary>
internal static partial class JsonPathFilterShape
{
    /// <summary>The filter of <c>$..[?(filter)]</c>, or null for any other expression.</summary>
    public static string? RecursiveFilterBody(string expression) =>
        RecursiveFilter().Match(expression.Trim()) is { Success: true } match ? match.Groups["body"].Value : null;

    /// <summary>The filter without its string literals (which may hold anything, '@' included).</summary>
    public static string WithoutLiterals(string filter) => QuotedString().Replace(filter, "''");

    /// <summary>Whether every test is a plain <c>@name…</c> path or comparison (no !, null, $ or brackets).</summary>
    public static bool IsPlain(string filterWithoutLiterals) =>
        !(filterWithoutLiterals.Contains('!', StringComparison.Ordinal) || filterWithoutLiterals.Contains('[', StringComparison.Ordinal)
          || filterWithoutLiterals.Contains("null", StringComparison.OrdinalIgnoreCase) || filterWithoutLiterals.Contains('$', StringComparison.Ordinal));

    /// <summary>The paths the filter tests, each as its names: <c>@telemetry.HeartRate</c> → [telemetry, HeartRate].</summary>
    public static IEnumerable<string[]> TestedPaths(string filterWithoutLiterals) =>
        CurrentNodePath().Matches(filterWithoutLiterals).Select(m => m.Groups["path"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"^\$\.\.\[\?\((?<body>.*)\)\]$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex RecursiveFilter();

    [GeneratedRegex(@"'[^']*'|""[^""]*""", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"@\.?(?<path>[A-Za-z_][\w\-]*(?:\.[A-Za-z_][\w\-]*)*)", RegexOptions.CultureInvariant)]
    private static partial Regex CurrentNodePath();
}
