using System.Globalization;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>One entry of <c>fhirPathRules</c>: a path, a method and the method's own settings, as written.</summary>
public sealed class PolicyRule
{
    internal PolicyRule(int index, string path, AnonymizationMethod method, JsonElement settings)
    {
        Index = index;
        Path = path;
        Method = method;
        Settings = settings;
    }

    /// <summary>Position in <c>fhirPathRules</c>, from 0. Earlier rules win.</summary>
    public int Index { get; }

    public string Path { get; }

    public AnonymizationMethod Method { get; }

    /// <summary>The whole rule object, for method settings (<c>replaceWith</c>, <c>span</c>, <c>cases</c>, ...).</summary>
    internal JsonElement Settings { get; }

    /// <summary>How errors name this rule: index, path and method, never a setting's value.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"fhirPathRules[{Index}] (path '{Path}', method '{Method}')");

    internal bool TryGetSetting(string name, out JsonElement value) => AnonymizationPolicy.TryGetProperty(Settings, name, out value);

    /// <summary>A setting as text the way the anonymizer reads it (<c>ToString()</c> of the JSON value).</summary>
    internal string? SettingText(string name)
    {
        if (!TryGetSetting(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => value.GetString(),
            _ => value.GetRawText(),
        };
    }
}
