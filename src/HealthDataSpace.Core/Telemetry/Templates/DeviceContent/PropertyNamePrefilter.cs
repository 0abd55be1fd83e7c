using System.Text.RegularExpressions;
using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>
/// A cheap, conservative pre-check of a type-match expression: <c>$..[?(@Body.systolic &amp;&amp; @Body.diastolic)]</c>
/// can only match a document in which properties named Body, systolic and diastolic occur somewhere. The normaliser
/// collects the property names of a payload once and skips the templates that cannot match, instead of running every
/// template's recursive descent over every message. Expressions it does not understand (JMESPath, negation, null
/// comparisons, bracket paths inside filters) get no pre-check and always run.
/// </summary>
internal sealed partial class PropertyNamePrefilter
{
    private readonly string[] _allOf;
    private readonly string[] _anyOf;

    private PropertyNamePrefilter(string[] allOf, string[] anyOf)
    {
        _allOf = allOf;
        _anyOf = anyOf;
    }

    /// <summary>
    /// Understands <c>$..[?(filter)]</c> and plain paths <c>$.a['b-c'].d[*]</c>, optionally ending in <c>[?(filter)]</c>:
    /// every name on the path is required; a filter of "and"ed tests requires its names, one with "or" any of them.
    /// </summary>
    public static PropertyNamePrefilter? For(TemplateExpression typeMatch)
    {
        if (typeMatch.Language != ExpressionLanguage.JsonPath)
        {
            return null;
        }

        var text = typeMatch.Text.Trim();
        if (JsonPathFilterShape.RecursiveFilterBody(text) is { } recursive)
        {
            return FromFilter(recursive, []);
        }

        if (SimplePath().Match(text) is not { Success: true } path)
        {
            return null;
        }

        var chain = path.Groups["name"].Captures.Select(c => c.Value)
            .Concat(path.Groups["quoted"].Captures.Select(c => c.Value))
            .ToList();
        return path.Groups["body"].Success
            ? FromFilter(path.Groups["body"].Value, chain)
            : chain.Count == 0 ? null : new PropertyNamePrefilter([.. chain.Distinct(StringComparer.Ordinal)], []);
    }

    private static PropertyNamePrefilter? FromFilter(string filter, List<string> chain)
    {
        var body = JsonPathFilterShape.WithoutLiterals(filter);
        var names = JsonPathFilterShape.IsPlain(body) ? JsonPathFilterShape.TestedPaths(body).SelectMany(p => p).ToList() : [];

        // An "or" needs only one alternative's names; "any of all names" is the conservative reading of that.
        var or = body.Contains("||", StringComparison.Ordinal);
        string[] allOf = [.. chain.Concat(or ? [] : names).Distinct(StringComparer.Ordinal)];
        string[] anyOf = or ? [.. names.Distinct(StringComparer.Ordinal)] : [];
        return allOf.Length == 0 && anyOf.Length == 0 ? null : new PropertyNamePrefilter(allOf, anyOf);
    }

    public bool MightMatch(HashSet<string> propertyNames)
    {
        foreach (var name in _allOf)
        {
            if (!propertyNames.Contains(name))
            {
                return false;
            }
        }

        return _anyOf.Length == 0 || _anyOf.Any(propertyNames.Contains);
    }

    /// <summary>Every property name in the document, for <see cref="MightMatch"/>.</summary>
    public static void CollectNames(JToken token, HashSet<string> into)
    {
        switch (token)
        {
            case JObject obj:
                foreach (var property in obj.Properties())
                {
                    into.Add(property.Name);
                    CollectNames(property.Value, into);
                }

                break;
            case JArray array:
                foreach (var item in array)
                {
                    CollectNames(item, into);
                }

                break;
        }
    }

    [GeneratedRegex(@"^\$(?:\.(?<name>[A-Za-z_][\w\-]*)|\['(?<quoted>[^']+)'\]|\[\*\]|\[\d+\])+(?:\[\?\((?<body>.*)\)\])?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SimplePath();
}
