using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates;

/// <summary>
/// Reads one template object of a MedTech template file and records every problem as one error line naming where it
/// is (<c>template[3] 'heartrate'</c>), the field, and the line. Like MedTech (which deserialises with
/// <c>MissingMemberHandling.Error</c>), a field it does not know is an error: a misspelt optional expression would
/// otherwise be silently ignored.
/// </summary>
internal sealed class TemplateObjectReader
{
    private readonly JObject _json;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _errors;

    public TemplateObjectReader(JObject json, string location, List<string> errors)
    {
        _json = json;
        Location = location;
        _errors = errors;
    }

    public string Location { get; set; }

    public int ErrorCount => _errors.Count;

    /// <summary>A reader for an object inside this one, reporting into the same error list.</summary>
    public TemplateObjectReader Nested(JObject json, string location) => new(json, location, _errors);

    public JToken? Field(string name)
    {
        _known.Add(name);
        var property = _json.Property(name, StringComparison.OrdinalIgnoreCase);
        return property?.Value is { Type: not JTokenType.Null } value ? value : null;
    }

    public string? RequiredString(string name) => String(name, required: true);

    public string? String(string name, bool required = false)
    {
        var token = Field(name);
        if (token is null)
        {
            if (required)
            {
                Error(name, "is required", _json);
            }

            return null;
        }

        if (token.Type != JTokenType.String && token.Type != JTokenType.Integer)
        {
            Error(name, "must be a string", token);
            return null;
        }

        var text = token.Value<string>()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            Error(name, "is empty", token);
            return null;
        }

        return text;
    }

    /// <summary>A boolean; MedTech's own test inputs write it as the string "true" too.</summary>
    public bool Boolean(string name, bool defaultValue)
    {
        var token = Field(name);
        switch (token?.Type)
        {
            case null:
                return defaultValue;
            case JTokenType.Boolean:
                return token.Value<bool>();
            case JTokenType.String when bool.TryParse(token.Value<string>(), out var parsed):
                return parsed;
            default:
                Error(name, "must be true or false", token);
                return defaultValue;
        }
    }

    public JArray? Array(string name, bool required) => Container<JArray>(name, required, "must be an array");

    public JObject? Object(string name, bool required) => Container<JObject>(name, required, "must be an object");

    private T? Container<T>(string name, bool required, string wrongType)
        where T : JContainer
    {
        var token = Field(name);
        if (token is T container)
        {
            return container;
        }

        if (token is not null)
        {
            Error(name, wrongType, token);
        }
        else if (required)
        {
            Error(name, "is required", _json);
        }

        return null;
    }

    /// <summary>Reports the fields of the object that no reader call asked for.</summary>
    public void RejectUnknownFields()
    {
        foreach (var property in _json.Properties().Where(p => !_known.Contains(p.Name)))
        {
            Error(property.Name, "is not a field of this template type", property);
        }
    }

    public void Error(string field, string message, JToken? at = null) =>
        _errors.Add($"{Location}: '{field}' {message}{LineOf(at ?? _json)}");

    public static string LineOf(JToken token) =>
        token is IJsonLineInfo { } info && info.HasLineInfo() ? $" (line {info.LineNumber})" : string.Empty;

    /// <summary>MedTech's rule: the template type matches case-insensitively, with or without a "Template" suffix.</summary>
    public static bool IsTemplateType(string? actual, string expected) =>
        actual is not null
        && (string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)
            || string.Equals(actual, expected + "Template", StringComparison.OrdinalIgnoreCase));
}
