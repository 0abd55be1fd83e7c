using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.Expressions;

/// <summary>The expression languages MedTech device-content templates accept.</summary>
internal enum ExpressionLanguage
{
    JsonPath,
    JmesPath,
}

/// <summary>
/// One compiled template expression. JSONPath is Newtonsoft.Json's <c>SelectTokens</c> dialect (the one MedTech uses:
/// <c>$..[?(@heartRate)]</c>, <c>&amp;&amp;</c>, <c>||</c>, single-quoted strings); JMESPath is JmesPath.Net with the
/// MedTech custom functions. Thread-safe.
/// </summary>
internal abstract class TemplateExpression
{
    protected TemplateExpression(string text, ExpressionLanguage language)
    {
        Text = text;
        Language = language;
    }

    public string Text { get; }

    public ExpressionLanguage Language { get; }

    /// <summary>Every token the expression selects (a JMESPath projection yields each element).</summary>
    public abstract IEnumerable<JToken> SelectTokens(JToken data);

    /// <summary>The single token the expression selects, or null; more than one is an error, as in MedTech.</summary>
    public abstract JToken? SelectToken(JToken data);

    public static TemplateExpression Compile(string text, ExpressionLanguage language) =>
        language == ExpressionLanguage.JmesPath
            ? new JmesPathTemplateExpression(text)
            : new JsonPathTemplateExpression(text);
}

/// <summary>An expression failed on a payload (several values where one was expected, a function's argument type).</summary>
internal sealed class ExpressionEvaluationException(string message, Exception? inner = null) : Exception(message, inner);

internal sealed class JsonPathTemplateExpression : TemplateExpression
{
    private readonly RecursiveFilterMatcher? _recursiveFilter;

    public JsonPathTemplateExpression(string text)
        : base(text, ExpressionLanguage.JsonPath)
    {
        // Newtonsoft parses the path on every call; parsing it once here turns a syntax error into a template error
        // at load time instead of a rejection of every message.
        try
        {
            _ = new JObject().SelectTokens(text).Any();
        }
        catch (JsonException e)
        {
            throw new ExpressionCompileException($"is not a valid JSONPath expression ({e.Message})", e);
        }

        _recursiveFilter = RecursiveFilterMatcher.TryCreate(text);
    }

    /// <summary>Whether the fast path for <c>$..[?(...)]</c> is in use (tests compare it with SelectTokens).</summary>
    public bool UsesRecursiveFilterMatcher => _recursiveFilter is not null;

    public override IEnumerable<JToken> SelectTokens(JToken data)
    {
        try
        {
            if (_recursiveFilter is not null)
            {
                return _recursiveFilter.Select(data);
            }

            // Materialised so the caller may change the document (matchedToken) while it walks the matches.
            return data.SelectTokens(Text).ToList();
        }
        catch (JsonException e)
        {
            throw new ExpressionEvaluationException("could not be evaluated", e);
        }
    }

    public override JToken? SelectToken(JToken data)
    {
        try
        {
            return data.SelectToken(Text);
        }
        catch (JsonException e)
        {
            throw new ExpressionEvaluationException("selected more than one value", e);
        }
    }
}

/// <summary>A template expression that does not parse.</summary>
internal sealed class ExpressionCompileException(string message, Exception? inner = null) : Exception(message, inner);
