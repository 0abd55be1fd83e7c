using HealthDataSpace.Core.Telemetry.Templates.Expressions;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>
/// Reads a template expression field: a plain string in the template's default language, or (CalculatedContent, and
/// the IoT templates as the current MedTech docs write them) <c>{"value": "...", "language": "JsonPath" | "JmesPath"}</c>.
/// JMESPath is accepted only by CalculatedContent, as in MedTech.
/// </summary>
internal sealed class ExpressionReader(TemplateObjectReader reader, ContentTemplateKind kind, ExpressionLanguage defaultLanguage)
{
    public ExpressionReader For(TemplateObjectReader other) => new(other, kind, defaultLanguage);

    public TemplateExpression? Read(string field, bool required)
    {
        var token = reader.Field(field);
        if (token is null)
        {
            if (required)
            {
                reader.Error(field, "is required");
            }

            return null;
        }

        string? text;
        var language = defaultLanguage;
        if (token is JObject expression)
        {
            var inner = reader.Nested(expression, $"{reader.Location} {field}");
            text = inner.RequiredString("value");
            if (inner.String("language") is { } languageText && !Enum.TryParse(languageText, ignoreCase: true, out language))
            {
                inner.Error("language", "must be JsonPath or JmesPath", expression);
                return null;
            }

            inner.RejectUnknownFields();
        }
        else if (token.Type == JTokenType.String)
        {
            text = token.Value<string>();
        }
        else
        {
            reader.Error(field, "must be a string or an object with value and language", token);
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            if (token.Type == JTokenType.String)
            {
                reader.Error(field, "is empty", token);
            }

            return null;
        }

        if (language == ExpressionLanguage.JmesPath && kind != ContentTemplateKind.Calculated)
        {
            reader.Error(field, "uses JmesPath, which only CalculatedContent templates support", token);
            return null;
        }

        try
        {
            return TemplateExpression.Compile(text, language);
        }
        catch (ExpressionCompileException e)
        {
            reader.Error(field, e.Message, token);
            return null;
        }
    }
}
