using System.Globalization;
using System.Text;

namespace HealthDataSpace.Core.Fhir.Search;

/// <summary>
/// FHIR string search is case- and accent-insensitive ("Müller" matches "muller"): both the indexed value and the
/// searched value go through the same folding.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Index values longer than this are cut: search matches on a prefix of this length at most.</summary>
    public const int MaxIndexedLength = 200;

    public static string Normalize(string value)
    {
        var trimmed = value.Trim();
        var isPlainAscii = true;
        foreach (var c in trimmed)
        {
            if (c > 127 || char.IsAsciiLetterUpper(c))
            {
                isPlainAscii = false;
                break;
            }
        }

        var folded = isPlainAscii ? trimmed : Fold(trimmed);
        return folded.Length > MaxIndexedLength ? folded[..MaxIndexedLength] : folded;
    }

    public static string Truncate(string value) =>
        value.Length > MaxIndexedLength ? value[..MaxIndexedLength] : value;

    private static string Fold(string value)
    {
        var decomposed = value.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }
}
