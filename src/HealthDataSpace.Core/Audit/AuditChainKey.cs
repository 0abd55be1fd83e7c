using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HealthDataSpace.Core.Audit;

/// <summary>
/// The secret that seals the audit chain. Each link's hash is an HMAC-SHA256 over its sequence number, the
/// AuditEvent it seals, the SHA-256 of that event's stored JSON and the previous link's hash. Because the key lives
/// outside the database (configuration or a secret store), someone who can edit the database can neither alter an
/// entry and recompute the chain after it, nor forge the anchor after deleting the newest entries.
/// </summary>
public sealed class AuditChainKey
{
    /// <summary>The "previous hash" of the first link.</summary>
    public const string Genesis = "genesis";

    private readonly byte[] _key;

    public AuditChainKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The audit chain key must be at least 32 bytes.", nameof(key));
        }

        _key = (byte[])key.Clone();
    }

    public string LinkHash(long sequence, string resourceId, long version, string previousHash, string json)
    {
        var body = SHA256.HashData(Encoding.UTF8.GetBytes(json));
        var text = string.Create(CultureInfo.InvariantCulture,
            $"link\n{sequence}\nAuditEvent/{resourceId}/_history/{version}\n{previousHash}\n{Convert.ToHexStringLower(body)}");
        return Mac(text);
    }

    public string AnchorMac(long sequence, string hash) =>
        Mac(string.Create(CultureInfo.InvariantCulture, $"anchor\n{sequence}\n{hash}"));

    public AuditAnchor Anchor(AuditLink link) => new(link.Sequence, link.Hash, AnchorMac(link.Sequence, link.Hash));

    private string Mac(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
}
