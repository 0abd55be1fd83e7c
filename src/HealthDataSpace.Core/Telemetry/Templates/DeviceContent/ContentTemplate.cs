using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>The four device-content template types of the MedTech service (CollectionContent holds them).</summary>
internal enum ContentTemplateKind
{
    /// <summary><c>JsonPathContent</c>: JSONPath; every later expression runs against the matched token.</summary>
    JsonPath,

    /// <summary><c>IotJsonPathContent</c>: JsonPathContent whose device id and time come from the IoT Hub event.</summary>
    IotJsonPath,

    /// <summary><c>IotCentralJsonPathContent</c>: device id <c>$.deviceId</c>, time <c>$.enqueuedTime</c> of the IoT Central export.</summary>
    IotCentralJsonPath,

    /// <summary><c>CalculatedContent</c>: JSONPath or JMESPath; later expressions see the event plus <c>matchedToken</c>.</summary>
    Calculated,
}

internal sealed record ContentValue(string Name, TemplateExpression Expression, bool Required);

/// <summary>
/// One compiled device-content template. <see cref="Extract"/> follows MedTech's MeasurementExtractor: the type-match
/// expression selects tokens from the event; for each, the device id and timestamp are required, the correlation id is
/// required when an expression is set, and each value is required when the template says so.
/// </summary>
internal sealed class ContentTemplate
{
    public const string MatchedToken = "matchedToken";

    public required int Index { get; init; }

    public required ContentTemplateKind Kind { get; init; }

    public required string TypeName { get; init; }

    public required TemplateExpression TypeMatch { get; init; }

    public required TemplateExpression DeviceId { get; init; }

    /// <summary>Tried in order: IotJsonPathContent reads the device's creation time, then the hub's enqueued time.</summary>
    public required IReadOnlyList<TemplateExpression> Timestamp { get; init; }

    public TemplateExpression? CorrelationId { get; init; }

    public required IReadOnlyList<ContentValue> Values { get; init; }

    public PropertyNamePrefilter? Prefilter { get; init; }

    private string Where => $"template[{Index}] '{TypeName}'";

    /// <summary>Adds a reading for every token the template matches in <paramref name="envelope"/>.</summary>
    public void Extract(JObject envelope, List<ExtractedReading> output)
    {
        IEnumerable<JToken> matches;
        try
        {
            matches = TypeMatch.SelectTokens(envelope);
        }
        catch (ExpressionEvaluationException e)
        {
            throw new ReadingExtractionException($"{Where}: typeMatchExpression {e.Message}", e);
        }

        foreach (var match in matches)
        {
            if (Kind != ContentTemplateKind.Calculated)
            {
                output.Add(ExtractOne(match));
                continue;
            }

            // MedTech evaluates against a deep clone of the event with the match added as "matchedToken"; adding the
            // match (Newtonsoft clones a token that already has a parent) and removing it afterwards gives the same
            // view without copying the whole event once per match.
            envelope[MatchedToken] = match;
            try
            {
                output.Add(ExtractOne(envelope));
            }
            finally
            {
                envelope.Remove(MatchedToken);
            }
        }
    }

    private ExtractedReading ExtractOne(JToken scope)
    {
        var deviceId = Text(scope, DeviceId, "deviceIdExpression")
            ?? throw new ReadingExtractionException($"{Where}: the device id (deviceIdExpression) is missing");

        var time = ReadTime(scope);

        string? correlationId = null;
        if (CorrelationId is not null)
        {
            correlationId = Text(scope, CorrelationId, "correlationIdExpression")
                ?? throw new ReadingExtractionException($"{Where}: the correlation id (correlationIdExpression) is missing");
        }

        var values = new List<ReadingValue>(Values.Count);
        foreach (var value in Values)
        {
            var text = Text(scope, value.Expression, $"value '{value.Name}'");
            if (text is not null)
            {
                values.Add(new ReadingValue(value.Name, text));
            }
            else if (value.Required)
            {
                throw new ReadingExtractionException($"{Where}: the required value '{value.Name}' is missing");
            }
        }

        return new ExtractedReading(Index, TypeName, time, deviceId, values, correlationId);
    }

    private DateTimeOffset ReadTime(JToken scope)
    {
        foreach (var expression in Timestamp)
        {
            var token = Select(scope, expression, "timestampExpression");
            if (token is null || token.Type == JTokenType.Null)
            {
                continue;
            }

            return TokenValues.TryParseTime(token, out var time)
                ? time.ToUniversalTime()
                : throw new ReadingExtractionException($"{Where}: the timestamp (timestampExpression) is not an ISO 8601 date and time");
        }

        throw new ReadingExtractionException($"{Where}: the timestamp (timestampExpression) is missing");
    }

    private string? Text(JToken scope, TemplateExpression expression, string what)
    {
        var text = TokenValues.ToText(Select(scope, expression, what), out var notScalar);
        return notScalar
            ? throw new ReadingExtractionException($"{Where}: {what} selected an object or array, not a single value")
            : text;
    }

    private JToken? Select(JToken scope, TemplateExpression expression, string what)
    {
        try
        {
            return expression.SelectToken(scope);
        }
        catch (ExpressionEvaluationException e)
        {
            throw new ReadingExtractionException($"{Where}: {what} {e.Message}", e);
        }
    }
}
