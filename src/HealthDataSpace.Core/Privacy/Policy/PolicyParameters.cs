namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The <c>parameters</c> section of a policy. Keys are only used when the policy runs without a project
/// (Microsoft-compatible mode); with a project every key is derived from the master key instead.
/// </summary>
public sealed class PolicyParameters
{
    public string? DateShiftKey { get; init; }

    public DateShiftScope DateShiftScope { get; init; } = DateShiftScope.Resource;

    /// <summary>Newer anonymizer releases' fixed shift in days; when set it replaces the key-derived shift.</summary>
    public int? DateShiftFixedOffsetInDays { get; init; }

    public string? CryptoHashKey { get; init; }

    public string? EncryptKey { get; init; }

    /// <summary>Redact keeps ages up to 89 and removes only higher ones.</summary>
    public bool EnablePartialAgesForRedact { get; init; }

    /// <summary>Redact keeps the year of a date unless it indicates an age over 89.</summary>
    public bool EnablePartialDatesForRedact { get; init; }

    /// <summary>Redact keeps the first three digits of a postal code and zeroes the rest.</summary>
    public bool EnablePartialZipCodesForRedact { get; init; }

    /// <summary>Postal-code prefixes whose every digit is zeroed (areas under 20,000 people in HIPAA Safe Harbor).</summary>
    public IReadOnlyList<string> RestrictedZipCodeTabulationAreas { get; init; } = [];
}
