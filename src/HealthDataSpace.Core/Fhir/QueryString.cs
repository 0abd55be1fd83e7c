namespace HealthDataSpace.Core.Fhir;

/// <summary>
/// Parses the query of conditional criteria (<c>ifNoneExist</c>, conditional references and updates) into ordered,
/// percent-decoded pairs; repeated names are kept. A '+' stays a '+': in FHIR criteria it is data (a phone number,
/// a time-zone offset), not a space. A leading <c>Type?</c>, as some clients write ifNoneExist, is dropped.
/// </summary>
public static class QueryString
{
    public static List<KeyValuePair<string, string>> Parse(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var question = query.IndexOf('?', StringComparison.Ordinal);
        var equals0 = query.IndexOf('=', StringComparison.Ordinal);
        if (question >= 0 && (equals0 < 0 || question < equals0))
        {
            query = query[(question + 1)..];
        }

        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add(new KeyValuePair<string, string>(Decode(name), Decode(value)));
        }

        return pairs;
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s);
}
