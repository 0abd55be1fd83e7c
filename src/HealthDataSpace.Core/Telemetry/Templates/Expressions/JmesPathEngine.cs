using DevLab.JmesPath;
using DevLab.JmesPath.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.Expressions;

/// <summary>
/// JmesPath.Net with the MedTech custom functions registered. JmesPath.Net engines and their function instances keep
/// per-evaluation state, so each thread gets its own engine and its own parsed expressions (parsed once per thread).
/// </summary>
internal static class JmesPathEngine
{
    [ThreadStatic]
    private static JmesPath? t_engine;

    [ThreadStatic]
    private static Dictionary<string, JmesPathExpression>? t_parsed;

    /// <summary>The parsed expression for this thread; a syntax error becomes an <see cref="ExpressionCompileException"/>.</summary>
    public static JmesPathExpression Parse(string expression)
    {
        var cache = t_parsed ??= new Dictionary<string, JmesPathExpression>(StringComparer.Ordinal);
        if (cache.TryGetValue(expression, out var parsed))
        {
            return parsed;
        }

        try
        {
            parsed = (t_engine ??= CreateEngine()).Parse(expression);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // JmesPath.Net throws its parser's own exception types; all of them mean "does not parse".
            throw new ExpressionCompileException($"is not a valid JMESPath expression ({e.Message})", e);
        }

        cache[expression] = parsed;
        return parsed;
    }

    private static JmesPath CreateEngine()
    {
        var engine = new JmesPath();
        MedTechJmesPathFunctions.Register(engine.FunctionRepository);
        return engine;
    }
}

internal sealed class JmesPathTemplateExpression : TemplateExpression
{
    public JmesPathTemplateExpression(string text)
        : base(text, ExpressionLanguage.JmesPath) => _ = JmesPathEngine.Parse(text);

    public override IEnumerable<JToken> SelectTokens(JToken data)
    {
        var result = Evaluate(data);
        if (result.IsProjection)
        {
            return result.Projection.Select(p => p.AsJToken()).Where(t => t.Type != JTokenType.Null).ToList();
        }

        var token = result.AsJToken();
        return token.Type == JTokenType.Null ? [] : [token];
    }

    public override JToken? SelectToken(JToken data)
    {
        var result = Evaluate(data);
        if (result.IsProjection && result.Projection.Length > 1)
        {
            throw new ExpressionEvaluationException("selected more than one value");
        }

        var token = result.AsJToken();
        return token.Type == JTokenType.Null ? null : token;
    }

    private JmesPathArgument Evaluate(JToken data)
    {
        try
        {
            return JmesPathEngine.Parse(Text).Transform(data);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not ExpressionCompileException)
        {
            // Function argument errors (a string where a number is expected) surface as plain exceptions.
            throw new ExpressionEvaluationException("could not be evaluated", e);
        }
    }
}
