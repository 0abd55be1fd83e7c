using System.Security.Cryptography;
using System.Text;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>Container and path rules every blob backend accepts (Azure's are the strictest).</summary>
public static class BlobNames
{
    /// <summary>
    /// The container of a recipient (<c>Organization/uni-cyprus</c> → <c>recipient-uni-cyprus-1a2b3c4d</c>): lower-case
    /// letters, digits and single hyphens, at most 63 characters, with a hash suffix so distinct recipients never share one.
    /// </summary>
    public static string ContainerFor(string recipient)
    {
        ArgumentException.ThrowIfNullOrEmpty(recipient);
        var id = recipient.Contains('/', StringComparison.Ordinal) ? recipient[(recipient.LastIndexOf('/') + 1)..] : recipient;
        var cleaned = new StringBuilder();
        foreach (var c in id.ToLowerInvariant())
        {
            var next = char.IsAsciiLetterOrDigit(c) ? c : '-';
            if (next != '-' || (cleaned.Length > 0 && cleaned[^1] != '-'))
            {
                cleaned.Append(next);
            }
        }

        var stem = cleaned.ToString().Trim('-');
        stem = stem.Length > 40 ? stem[..40].TrimEnd('-') : stem;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipient)))[..8];
        return stem.Length == 0 ? $"recipient-{hash}" : $"recipient-{stem}-{hash}";
    }

    /// <summary>Checks a blob path: relative, '/'-separated segments of letters, digits, '-', '_' and '.', no '..'.</summary>
    public static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var segments = path.Split('/');
        if (path.Length > 512 || segments.Any(s => s.Length == 0 || s is "." or ".." || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException("A blob path is relative, '/'-separated, of letters, digits, '-', '_' and '.'.", nameof(path));
        }

        return path;
    }

    /// <summary>Checks a container name as Azure requires (3-63 lower-case letters, digits and single hyphens).</summary>
    public static string CheckContainer(string container)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        if (container.Length is < 3 or > 63 || container[0] == '-' || container[^1] == '-' || container.Contains("--", StringComparison.Ordinal)
            || !container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException("A container name has 3-63 lower-case letters, digits and single hyphens.", nameof(container));
        }

        return container;
    }
}
