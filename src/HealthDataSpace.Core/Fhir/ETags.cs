using System.Globalization;

namespace HealthDataSpace.Core.Fhir;

/// <summary>FHIR's version ETags: <c>W/"3"</c> is version 3.</summary>
public static class ETags
{
    /// <summary>Reads <c>W/"3"</c> (or a bare 3) as version 3; null when absent; 400 when malformed.</summary>
    public static long? ParseVersion(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag))
        {
            return null;
        }

        var text = etag.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        text = text.Trim('"');
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw FhirException.BadRequest("If-Match must be a version ETag such as W/\"3\".");
    }
}
