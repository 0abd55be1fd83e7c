using System.Text.RegularExpressions;
using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>
/// A cheap, conservative pre-check of a type-match expression: <c>$..[?(@Body.systolic &amp;&amp; @Body.diastolic)]</c>
/// can only match a document in which properties named Body, systolic and diastolic occur somewhere. The normaliser
/// collects the property names of a payload once and skips the templates that cannot match, instead of running every
/// template's recursive descent over every message. Expressions it does not understand (JMESPath, negation, null
/// comparisons, bracket paths) get no pre-check and always run.
/// </summary>
internal sealed partial class PropertyNamePrefilter
{
    private readonly string[] _names;
    private readonly bool _anyOf;

    private PropertyNamePrefilter(string[] names, bool anyOf)
    {
        _names = names;
        _anyOf = anyOf;
    }

    public static PropertyNamePrefilter? For(TemplateExpression typeMatch)
    {
        if (typeMatch.Language != ExpressionLanguage.JsonPath)
        {
            return null;
        }

        var filter = RecursiveFilter().Match(typeMatch.Text.Trim());
        if (!filter.Success)
        {
            return null;
        }

        // String literals may hold anything, '@' included: they take no part in the names.
        var body = QuotedString().Replace(filter.Groups["body"].Value, "''");
        if (body.Contains('!', StringComparison.Ordinal) || body.Contains('[', StringComparison.Ordinal)
            || body.Contains("null", StringComparison.OrdinalIgnoreCase) || body.Contains('$', StringComparison.Ordinal))
        {
            return null;
        }

        var names = new List<string>();
        foreach (Match path in CurrentNodePath().Matches(body))
        {
            names.AddRange(path.Groups["path"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries));
        }

        // An "or" needs only one alternative's names; "any of all names" is the conservative reading of that.
        return names.Count == 0 ? null : new PropertyNamePrefilter([.. names.Distinct(StringComparer.Ordinal)], body.Contains("||", StringComparison.Ordinal));
    }

    public bool MightMatch(HashSet<string> propertyNames)
    {
        if (_anyOf)
        {
            return _names.Any(propertyNames.Contains);
        }

        foreach (var name in _names)
        {
            if (!propertyNames.Contains(name))
            {
                return false;
            }
        }

        return true;
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

    [GeneratedRegex(@"^\$\.\.\[\?\((?<body>.*)\)\]$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex RecursiveFilter();

    [GeneratedRegex(@"'[^']*'|""[^""]*""", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"@\.?(?<path>[A-Za-z_][\w\-]*(?:\.[A-Za-z_][\w\-]*)*)", RegexOptions.CultureInvariant)]
    private static partial Regex CurrentNodePath();
}
