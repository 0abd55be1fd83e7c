using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// A substitute rule's <c>replaceWith</c>: text for primitive targets; a JSON fragment for complex ones, parsed as the
/// target's type once per type (a fragment that does not fit the type fails the resource as a processing error).
/// </summary>
internal sealed class SubstituteSettings
{
    private readonly ConcurrentDictionary<FhirTypeInfo, FhirNode> _fragments = new();
    private readonly byte[] _json;

    public SubstituteSettings(PolicyRule rule)
    {
        rule.TryGetSetting("replaceWith", out var replaceWith);
        Text = replaceWith.ValueKind switch
        {
            JsonValueKind.String => replaceWith.GetString(),
            JsonValueKind.Null => null,
            _ => replaceWith.GetRawText(),
        };
        _json = replaceWith.ValueKind == JsonValueKind.Object ? Encoding.UTF8.GetBytes(replaceWith.GetRawText()) : "{}"u8.ToArray();
        Rule = rule;
    }

    public PolicyRule Rule { get; }

    /// <summary>The replacement for a primitive, as the anonymizer reads it (the JSON value's text).</summary>
    public string? Text { get; }

    /// <summary>The replacement fragment for a complex type, parsed once per type and then copied.</summary>
    public FhirNode FragmentFor(FhirTypeInfo type) => _fragments.GetOrAdd(type, t =>
    {
        try
        {
            return FhirTreeReader.ParseFragment(_json, t);
        }
        catch (FhirParseException e)
        {
            throw new AnonymizationProcessingException($"{Rule.Describe()}: replaceWith is not a valid {t.Name}: {e.Problem}.", e);
        }
    });
}
