using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;
using HealthDataSpace.Tests.Common;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Tests.Privacy;

/// <summary>Keys, engines and independent walkers for the privacy tests (written apart from the engine's own code).</summary>
internal static class PrivacyTestData
{
    /// <summary>A fixed 32-byte master key: 0x01 … 0x20.</summary>
    public static byte[] MasterKey { get; } = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    public static string MicrosoftSamplePath => Path.Combine(AppContext.BaseDirectory, "Privacy", "MicrosoftSample", "configuration-sample.json");

    public static AnonymizationEngine ProjectEngine(string project, AnonymizationPolicy? policy = null) =>
        AnonymizationEngine.Create(policy ?? AnonymizationPolicy.DefaultResearch, PseudonymDomain.ForProject(MasterKey, project));

    public static string Run(AnonymizationEngine engine, string json) => Encoding.UTF8.GetString(engine.Anonymize(Encoding.UTF8.GetBytes(json)));

    public static JsonElement RunToJson(AnonymizationEngine engine, string json) => JsonDocument.Parse(Run(engine, json)).RootElement.Clone();

    /// <summary>Policy text with the given rules and parameters.</summary>
    public static AnonymizationPolicy Policy(string rules, string parameters = "{}") =>
        AnonymizationPolicy.Parse($$"""{"fhirVersion": "R4", "fhirPathRules": [{{rules}}], "parameters": {{parameters}} }""");

    /// <summary>Every string value in a JSON document, base64 ones also decoded.</summary>
    public static HashSet<string> StringValues(JsonElement element)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        Collect(element, values);
        return values;
    }

    private static void Collect(JsonElement element, HashSet<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, values);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, values);
                }

                break;
            case JsonValueKind.String:
                var text = element.GetString()!;
                values.Add(text);
                if (text.Length >= 8 && text.Length % 4 == 0)
                {
                    try
                    {
                        values.Add(Encoding.UTF8.GetString(Convert.FromBase64String(text)));
                    }
                    catch (FormatException)
                    {
                        // Not base64: the plain string is enough.
                    }
                }

                break;
        }
    }

    /// <summary>Every string of the JSON that is a full date, dateTime or instant (at least year-month-day).</summary>
    public static IEnumerable<string> Dates(JsonElement json) =>
        StringValues(json).Where(v => System.Text.RegularExpressions.Regex.IsMatch(v, @"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?)?$"));

    /// <summary>The identifying strings of a resource tree, found on Firely POCOs.</summary>
    public static SensitiveStrings FindSensitive(Base root)
    {
        var found = new SensitiveStrings();
        foreach (var node in ReferenceWalkerForTests.Descendants(root))
        {
            switch (node)
            {
                case HumanName name:
                    found.Names.UnionWith(name.Given.Concat(name.Prefix).Concat(name.Suffix).Append(name.Family).Append(name.Text).OfType<string>());
                    break;
                case Identifier { Value: { } value }:
                    found.Identifiers.Add(value);
                    break;
                case ContactPoint { Value: { } telecom }:
                    found.Telecoms.Add(telecom);
                    break;
                case Address address:
                    found.AddressLines.UnionWith(address.Line.Append(address.Text).OfType<string>());
                    break;
            }
        }

        return found;
    }
}

internal sealed class SensitiveStrings
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Identifiers { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Telecoms { get; } = new(StringComparer.Ordinal);

    public HashSet<string> AddressLines { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Dates { get; } = new(StringComparer.Ordinal);

    public IEnumerable<(string Kind, string Value)> All =>
        Names.Select(v => ("name", v)).Concat(Identifiers.Select(v => ("identifier", v))).Concat(Telecoms.Select(v => ("telecom", v)))
            .Concat(AddressLines.Select(v => ("address", v))).Concat(Dates.Select(v => ("date", v)));
}
