using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>Reads the target of a literal reference: <c>Patient/1</c>, <c>Patient/1/_history/2</c> or an absolute URL.</summary>
public static class ReferenceParser
{
    public static string? TargetType(ResourceReference reference)
    {
        if (TryParse(reference.Reference, out var type, out _))
        {
            return type;
        }

        return reference.Type is { } declared && ResourceTypes.IsKnown(declared) ? declared : null;
    }

    /// <summary>Splits <c>[base/]Type/id[/_history/v]</c>; false for contained (#), urn: and query references.</summary>
    public static bool TryParse(string? reference, out string type, out string id)
    {
        type = id = string.Empty;
        if (string.IsNullOrEmpty(reference) || reference[0] == '#' || reference.Contains('?', StringComparison.Ordinal)
            || reference.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parts = reference.Split('/');
        var n = parts.Length;
        if (n >= 4 && parts[n - 2] == "_history")
        {
            n -= 2;
        }

        if (n < 2 || !ResourceTypes.IsKnown(parts[n - 2]) || !IsValidId(parts[n - 1]))
        {
            return false;
        }

        type = parts[n - 2];
        id = parts[n - 1];
        return true;
    }

    public static bool IsAbsolute(string reference) =>
        reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>FHIR id syntax: 1–64 of [A-Za-z0-9-.].</summary>
    public static bool IsValidId(string id)
    {
        if (id.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '.'))
            {
                return false;
            }
        }

        return true;
    }
}
