namespace HealthDataSpace.Gateway.Features.Audit;

/// <summary>Section <c>Audit</c>: the secret that seals the audit chain.</summary>
internal sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>
    /// Base64 of at least 32 random bytes (e.g. <c>openssl rand -base64 32</c>), from a secret store. Required outside
    /// Development; in Development one is generated into <c>{Storage:DataPath}/secrets/audit-chain.key</c>. Changing it
    /// makes every existing entry fail verification, so keep it with the database's backups.
    /// </summary>
    public string? ChainKey { get; set; }

    internal static bool IsValidKey(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var length) && length >= 32;
    }
}
