using System.Reflection;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.Expressions;

/// <summary>
/// A faster evaluation of the type-match shape every MedTech sample uses, <c>$..[?(@a.b &amp;&amp; @c == 'x')]</c>, with
/// Newtonsoft's own filter. <c>SelectTokens</c> re-parses the path on every call and tests the filter on every token
/// of the event (properties and values included). A filter built only from <c>@name…</c> tests (no negation, no null,
/// no root reference) can only match an object that has one of the tests' first names, so this walks the event's
/// objects in the same document order, skips those without such a name, and asks Newtonsoft's parsed filter
/// (<c>QueryExpression.IsMatch</c>, reached once by reflection) about the rest. Same matches, same order; when the
/// Newtonsoft internals are not as expected it is not used and <c>SelectTokens</c> runs as before.
/// </summary>
internal sealed class RecursiveFilterMatcher
{
    private static readonly Type? JPathType = typeof(JToken).Assembly.GetType("Newtonsoft.Json.Linq.JsonPath.JPath");

    private readonly Func<JToken, JToken, Newtonsoft.Json.Linq.JsonSelectSettings?, bool> _isMatch;
    private readonly string[] _firstNames;

    private RecursiveFilterMatcher(Func<JToken, JToken, Newtonsoft.Json.Linq.JsonSelectSettings?, bool> isMatch, string[] firstNames)
    {
        _isMatch = isMatch;
        _firstNames = firstNames;
    }

    public static RecursiveFilterMatcher? TryCreate(string text)
    {
        if (JsonPathFilterShape.RecursiveFilterBody(text) is not { } filter
            || JsonPathFilterShape.WithoutLiterals(filter) is not { } body
            || !JsonPathFilterShape.IsPlain(body))
        {
            return null;
        }

        var names = JsonPathFilterShape.TestedPaths(body).Select(p => p[0]).Distinct(StringComparer.Ordinal).ToArray();
        var isMatch = names.Length == 0 ? null : ParsedFilter(text);
        return isMatch is null ? null : new RecursiveFilterMatcher(isMatch, names);
    }

    public List<JToken> Select(JToken root)
    {
        var matches = new List<JToken>();
        Walk(root, root, matches);
        return matches;
    }

    private void Walk(JToken root, JToken token, List<JToken> matches)
    {
        switch (token)
        {
            case JObject obj:
                foreach (var name in _firstNames)
                {
                    if (obj.ContainsKey(name))
                    {
                        if (_isMatch(root, obj, null))
                        {
                            matches.Add(obj);
                        }

                        break;
                    }
                }

                foreach (var property in obj.Properties())
                {
                    Walk(root, property.Value, matches);
                }

                break;
            case JArray array:
                foreach (var item in array)
                {
                    Walk(root, item, matches);
                }

                break;
        }
    }

    /// <summary>The IsMatch of the single QueryScanFilter Newtonsoft parses <paramref name="text"/> into, or null.</summary>
    private static Func<JToken, JToken, Newtonsoft.Json.Linq.JsonSelectSettings?, bool>? ParsedFilter(string text)
    {
        try
        {
            const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            var path = JPathType is null ? null : Activator.CreateInstance(JPathType, Any, null, [text], null);
            if (path?.GetType().GetProperty("Filters", Any)?.GetValue(path) is not System.Collections.IList { Count: 1 } filters
                || filters[0] is not { } scan || scan.GetType().Name != "QueryScanFilter")
            {
                return null;
            }

            var expression = scan.GetType().GetProperty("Expression", Any)?.GetValue(scan)
                ?? scan.GetType().GetField("Expression", Any)?.GetValue(scan);
            var method = expression?.GetType().GetMethod("IsMatch", Any, [typeof(JToken), typeof(JToken), typeof(Newtonsoft.Json.Linq.JsonSelectSettings)]);
            return method?.ReturnType == typeof(bool)
                ? method.CreateDelegate<Func<JToken, JToken, Newtonsoft.Json.Linq.JsonSelectSettings?, bool>>(expression)
                : null;
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or ArgumentException or InvalidCastException)
        {
            return null;
        }
    }

}
