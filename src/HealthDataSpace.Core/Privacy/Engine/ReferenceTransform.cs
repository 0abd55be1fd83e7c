using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Pseudonymises the id inside a reference-shaped value, as the anonymizer's cryptoHash does for
/// <c>Reference.reference</c>: <c>Patient/123</c> → <c>Patient/{hash(123)}</c>, absolute URLs keep their base,
/// <c>#contained</c>, <c>urn:uuid:</c> and <c>urn:oid:</c> keep their prefix; anything else is hashed whole.
/// With <c>conditionalAware</c> (our extension) a bare type (<c>Patient</c>, a POST url) is kept and a conditional
/// reference or <c>ifNoneExist</c> query keeps its shape with each search value pseudonymised like an
/// <c>Identifier.value</c>, so it still finds the pseudonymised target.
/// </summary>
internal static class ReferenceTransform
{
    private static readonly string TypeAlternation = string.Join("|", ModelInfo.SupportedResources);
    private static readonly Regex Literal = new(
        @"^(?<prefix>((http|https)://([A-Za-z0-9\\\/\.\:\%\$])*)?(" + TypeAlternation + @")\/)(?<id>[A-Za-z0-9\-\.]{1,64})(?<suffix>\/_history\/[A-Za-z0-9\-\.]{1,64})?$",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static readonly Regex Oid = new(@"^(?<prefix>urn:oid:)(?<id>[0-2](\.(0|[1-9][0-9]*))+)$", RegexOptions.Compiled);
    private static readonly Regex Uuid = new(@"^(?<prefix>urn:uuid:)(?<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", RegexOptions.Compiled);

    private static readonly FrozenSet<string> ResourceTypes = ModelInfo.SupportedResources.ToFrozenSet(StringComparer.Ordinal);

    public static string Transform(string value, Func<string, string> hash, Func<string, string> hashUuid, bool conditionalAware)
    {
        if (value.StartsWith('#'))
        {
            return value.Length == 1 ? value : "#" + hash(value[1..]);
        }

        // Fast paths for the two shapes nearly every reference has; same results as the patterns below.
        if (value.Length == 45 && value.StartsWith("urn:uuid:", StringComparison.Ordinal) && IsUuid(value.AsSpan(9)))
        {
            return "urn:uuid:" + hashUuid(value[9..]);
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < value.Length - 1 && value.IndexOf('/', slash + 1) < 0 && value.IndexOf(':', StringComparison.Ordinal) < 0
            && IsId(value.AsSpan(slash + 1)) && ResourceTypes.Contains(value[..slash]))
        {
            return string.Concat(value.AsSpan(0, slash + 1), hash(value[(slash + 1)..]));
        }

        // The patterns below are only tried on values that can match them: the literal pattern (one alternative per
        // resource type) is expensive to fail on the conditional references every hospital bundle is full of.
        if (conditionalAware)
        {
            var question = value.IndexOf('?', StringComparison.Ordinal);
            if (question < 0 && ResourceTypes.Contains(value))
            {
                return value;
            }

            if (question > 0 && question < value.Length - 1 && ResourceTypes.Contains(value[..question]))
            {
                return string.Concat(value.AsSpan(0, question + 1), TransformQuery(value[(question + 1)..], hash));
            }
        }

        if ((value.StartsWith("http", StringComparison.Ordinal) || value.Contains("/_history/", StringComparison.Ordinal))
            && Literal.Match(value) is { Success: true } literal)
        {
            return literal.Groups["prefix"].Value + hash(literal.Groups["id"].Value) + literal.Groups["suffix"].Value;
        }

        if (value.StartsWith("urn:", StringComparison.Ordinal))
        {
            if (Oid.Match(value) is { Success: true } oid)
            {
                return oid.Groups["prefix"].Value + hash(oid.Groups["id"].Value);
            }

            if (Uuid.Match(value) is { Success: true } uuid)
            {
                return uuid.Groups["prefix"].Value + hashUuid(uuid.Groups["id"].Value);
            }
        }

        return hash(value);
    }

    private static bool IsUuid(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var dash = i is 8 or 13 or 18 or 23;
            if (dash ? text[i] != '-' : !char.IsAsciiHexDigit(text[i]))
            {
                return false;
            }
        }

        return text.Length == 36;
    }

    private static bool IsId(ReadOnlySpan<char> text)
    {
        if (text.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>identifier=system|value&amp;x=y</c>: names and systems stay, every value is pseudonymised.</summary>
    public static string TransformQuery(string query, Func<string, string> hash)
    {
        var result = new StringBuilder(query.Length + 64);
        foreach (var parameter in query.Split('&'))
        {
            if (result.Length > 0)
            {
                result.Append('&');
            }

            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                result.Append(hash(parameter));
                continue;
            }

            var value = parameter[(equals + 1)..];
            var bar = value.LastIndexOf('|');
            result.Append(parameter, 0, equals + 1);
            result.Append(bar < 0 ? hash(value) : string.Concat(value.AsSpan(0, bar + 1), hash(value[(bar + 1)..])));
        }

        return result.ToString();
    }
}
