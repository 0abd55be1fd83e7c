using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace HealthDataSpace.Core.Telemetry.Devices;

/// <summary>Why a SAS token was refused. The caller learns only "not authorized"; the reason is for counts and logs.</summary>
internal enum SasValidation
{
    Valid,
    Malformed,
    WrongResource,
    Expired,
    BadSignature,
}

/// <summary>The fields of <c>SharedAccessSignature sr=…&amp;sig=…&amp;se=…</c>, as sent (sr and sig still url-encoded).</summary>
internal sealed record SasToken(string EncodedResource, string Resource, byte[] Signature, long ExpiresAtUnixSeconds)
{
    /// <summary>The device id named by a device-scoped resource <c>{host}/devices/{id}</c>, or null.</summary>
    public string? DeviceId
    {
        get
        {
            const string marker = "/devices/";
            var at = Resource.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            var id = at < 0 ? null : Resource[(at + marker.Length)..];
            return string.IsNullOrEmpty(id) || id.Contains('/', StringComparison.Ordinal) ? null : id;
        }
    }
}

/// <summary>
/// IoT Hub shared access signatures for devices: <c>SharedAccessSignature sr={url-encoded {host}/devices/{id}}&amp;
/// sig={url-encoded base64 HMAC-SHA256(key, url-encoded resource + "\n" + expiry)}&amp;se={unix expiry}</c>.
/// </summary>
internal static class SharedAccessSignature
{
    public const string Scheme = "SharedAccessSignature";

    public static string ResourceFor(string hostName, string deviceId) => $"{hostName}/devices/{deviceId}";

    /// <summary>Builds a token exactly as the Azure IoT device SDKs do.</summary>
    public static string Build(string hostName, string deviceId, ReadOnlySpan<byte> key, DateTimeOffset expiresAt)
    {
        var encodedResource = WebUtility.UrlEncode(ResourceFor(hostName, deviceId));
        var expiry = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(Sign(key, encodedResource, expiry));
        return $"{Scheme} sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}";
    }

    /// <summary>Reads the token's fields; false for anything that is not a well-formed device token.</summary>
    public static bool TryParse(string? token, out SasToken parsed)
    {
        parsed = null!;
        if (token is null || !token.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return false;
        }

        string? sr = null, sig = null, se = null;
        foreach (var field in token[(Scheme.Length + 1)..].Trim().Split('&'))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var value = field[(equals + 1)..];
            switch (field[..equals])
            {
                case "sr" when sr is null: sr = value; break;
                case "sig" when sig is null: sig = value; break;
                case "se" when se is null: se = value; break;
                // A policy token (skn) signs with a hub-level key, which this gateway does not have.
                default: return false;
            }
        }

        if (string.IsNullOrEmpty(sr) || string.IsNullOrEmpty(sig)
            || !long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            return false;
        }

        var signature = new byte[32];
        if (!Convert.TryFromBase64String(WebUtility.UrlDecode(sig), signature, out var written) || written != signature.Length)
        {
            return false;
        }

        parsed = new SasToken(sr, WebUtility.UrlDecode(sr), signature, expiry);
        return true;
    }

    /// <summary>
    /// Checks a parsed token for one device: the resource must be <c>{hostName}/devices/{deviceId}</c> (compared
    /// case-insensitively, as IoT Hub does), the expiry in the future, and the signature made with the primary or the
    /// secondary key. Signatures are compared in constant time, and both keys are always tried.
    /// </summary>
    public static SasValidation Validate(SasToken token, string hostName, string deviceId, DeviceKeys keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keys);
        if (!string.Equals(token.Resource, ResourceFor(hostName, deviceId), StringComparison.OrdinalIgnoreCase))
        {
            return SasValidation.WrongResource;
        }

        if (token.ExpiresAtUnixSeconds <= now.ToUnixTimeSeconds())
        {
            return SasValidation.Expired;
        }

        var expiry = token.ExpiresAtUnixSeconds.ToString(CultureInfo.InvariantCulture);
        // Signers differ in how they percent-encode (upper or lower hex, '+' or %20): accept the encoding that was sent,
        // and the canonical one the Azure SDKs produce.
        var canonical = WebUtility.UrlEncode(token.Resource);
        var match = Matches(keys.Primary, token.EncodedResource, expiry, token.Signature)
                    | Matches(keys.Secondary, token.EncodedResource, expiry, token.Signature)
                    | Matches(keys.Primary, canonical, expiry, token.Signature)
                    | Matches(keys.Secondary, canonical, expiry, token.Signature);
        return match ? SasValidation.Valid : SasValidation.BadSignature;
    }

    private static bool Matches(byte[] key, string encodedResource, string expiry, byte[] signature) =>
        CryptographicOperations.FixedTimeEquals(Sign(key, encodedResource, expiry), signature);

    private static byte[] Sign(ReadOnlySpan<byte> key, string encodedResource, string expiry) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry));
}
