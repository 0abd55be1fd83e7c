using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// The keys one anonymization run uses: derived per project from the master key (HKDF-SHA256, the project name in the
/// info), so the same input and project always give the same pseudonym and date shift, while two projects' outputs
/// cannot be linked. Without a project the policy's own keys are used exactly as Microsoft's anonymizer uses them, so
/// outputs can be compared with that tool. Pseudonyms are one-way: HMAC-SHA256 in lower-case hex (64 characters, a
/// valid FHIR id). Key material never appears in a message or log.
/// </summary>
public sealed class PseudonymDomain
{
    private static readonly byte[] Salt = Encoding.UTF8.GetBytes("HealthDataSpace pseudonym domain v1");

    /// <summary>Smallest master key accepted, in bytes (256 bits).</summary>
    public const int MinimumMasterKeyBytes = 32;

    /// <summary>Date shifts lie within ±50 days, the anonymizer's 100-day differential.</summary>
    public const int DateShiftRange = 50;

    /// <summary>Memoised pseudonyms and shifts: references repeat the same ids many times per bundle.</summary>
    private const int CacheLimit = 200_000;

    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _uuids = new(StringComparer.Ordinal);
    private int _remembered;
    private readonly ConcurrentDictionary<string, (int Days, int Seconds)> _shifts = new(StringComparer.Ordinal);
    private readonly byte[]? _hashKey;
    private readonly byte[]? _encryptKey;
    private readonly byte[]? _dateShiftKey;
    private readonly string? _compatibleDateShiftKey;

    private PseudonymDomain(string? project, byte[]? hashKey, byte[]? encryptKey, byte[]? dateShiftKey, string? compatibleDateShiftKey, int? fixedOffset)
    {
        Project = project;
        _hashKey = hashKey;
        _encryptKey = encryptKey;
        _dateShiftKey = dateShiftKey;
        _compatibleDateShiftKey = compatibleDateShiftKey;
        FixedDateShift = fixedOffset;
    }

    /// <summary>The project, or null in Microsoft-compatible mode.</summary>
    public string? Project { get; }

    public bool IsProjectDomain => Project is not null;

    internal bool HasHashKey => _hashKey is not null;

    internal bool HasEncryptKey => _encryptKey is not null;

    internal bool HasDateShiftKey => _dateShiftKey is not null || _compatibleDateShiftKey is not null || FixedDateShift is not null;

    internal int? FixedDateShift { get; }

    /// <summary>The domain of one project: every key derived from the master key and the project name.</summary>
    public static PseudonymDomain ForProject(ReadOnlySpan<byte> masterKey, string project)
    {
        if (masterKey.Length < MinimumMasterKeyBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The master key must be at least {MinimumMasterKeyBytes} bytes."), nameof(masterKey));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        project = project.Trim();
        return new PseudonymDomain(project,
            Derive(masterKey, "cryptoHash", project),
            Derive(masterKey, "encrypt", project),
            Derive(masterKey, "dateShift", project),
            compatibleDateShiftKey: null,
            fixedOffset: null);
    }

    /// <summary>The domain of a master key given as configuration text (base64).</summary>
    public static PseudonymDomain ForProject(string masterKeyBase64, string project) => ForProject(DecodeMasterKey(masterKeyBase64), project);

    /// <summary>Microsoft-compatible mode: the policy's own keys, used as that tool uses them (UTF-8 bytes of the text).</summary>
    public static PseudonymDomain FromPolicy(PolicyParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new PseudonymDomain(
            project: null,
            string.IsNullOrEmpty(parameters.CryptoHashKey) ? null : Encoding.UTF8.GetBytes(parameters.CryptoHashKey),
            string.IsNullOrEmpty(parameters.EncryptKey) ? null : Encoding.UTF8.GetBytes(parameters.EncryptKey),
            dateShiftKey: null,
            string.IsNullOrEmpty(parameters.DateShiftKey) ? null : parameters.DateShiftKey,
            parameters.DateShiftFixedOffsetInDays);
    }

    /// <summary>Decodes a base64 master key, refusing short or malformed ones without echoing the text.</summary>
    public static byte[] DecodeMasterKey(string masterKeyBase64)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(masterKeyBase64?.Trim() ?? string.Empty);
        }
        catch (FormatException)
        {
            throw new ArgumentException("The master key is not valid base64.", nameof(masterKeyBase64));
        }

        return key.Length >= MinimumMasterKeyBytes
            ? key
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The master key must decode to at least {MinimumMasterKeyBytes} bytes."), nameof(masterKeyBase64));
    }

    /// <summary>A new random master key in the base64 form <see cref="DecodeMasterKey"/> reads.</summary>
    public static string GenerateMasterKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumMasterKeyBytes));

    /// <summary>
    /// The pseudonym of a resource id. It depends on the id only (as the anonymizer's <c>Resource.id</c> and
    /// reference hashing do), so <c>Patient/123</c> becomes <c>Patient/{PseudonymizeId("Patient", "123")}</c>
    /// wherever it occurs. To re-identify, recompute this over the candidate ids of that type.
    /// </summary>
    public string PseudonymizeId(string resourceType, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        return Hash(id);
    }

    /// <summary>The cryptoHash method: HMAC-SHA256 of the UTF-8 text, lower-case hex.</summary>
    public string Hash(string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (_hashes.TryGetValue(value, out var cached))
        {
            return cached;
        }

        var key = _hashKey ?? throw new InvalidOperationException("This domain has no cryptoHash key.");
        Span<byte> mac = stackalloc byte[32];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(value, buffer);
        HMACSHA256.HashData(key, buffer[..length], mac);
        var hash = Convert.ToHexStringLower(mac);
        Remember(_hashes, value, hash);
        return hash;
    }

    /// <summary>
    /// A pseudonym shaped as a UUID (RFC 9562 version 8) for <c>urn:uuid:</c> values in project mode, so output
    /// bundles stay valid FHIR; the same HMAC as <see cref="Hash"/>, truncated to 122 bits.
    /// </summary>
    public string HashAsUuid(string value)
    {
        if (_uuids.TryGetValue(value, out var cached))
        {
            return cached;
        }

        var hex = Hash(value);
        Span<char> uuid = stackalloc char[36];
        var source = 0;
        for (var i = 0; i < 36; i++)
        {
            uuid[i] = i is 8 or 13 or 18 or 23 ? '-' : hex[source++];
        }

        uuid[14] = '8';
        uuid[19] = "89ab"[Convert.ToInt32(uuid[19].ToString(), 16) & 3];
        var result = new string(uuid);
        Remember(_uuids, value, result);
        return result;
    }

    /// <summary>The encrypt method: AES-CBC, random IV, base64 of IV followed by the ciphertext.</summary>
    public string Encrypt(string plainText)
    {
        if (string.IsNullOrEmpty(plainText))
        {
            return plainText;
        }

        using var aes = Aes.Create();
        aes.Key = _encryptKey ?? throw new InvalidOperationException("This domain has no encrypt key.");
        var iv = aes.IV;
        var cipher = aes.EncryptCbc(Encoding.UTF8.GetBytes(plainText), iv, PaddingMode.PKCS7);
        var result = new byte[iv.Length + cipher.Length];
        iv.CopyTo(result, 0);
        cipher.CopyTo(result, iv.Length);
        return Convert.ToBase64String(result);
    }

    /// <summary>Reverses <see cref="Encrypt"/> (for stewards and tests).</summary>
    public string Decrypt(string base64)
    {
        var data = Convert.FromBase64String(base64);
        using var aes = Aes.Create();
        aes.Key = _encryptKey ?? throw new InvalidOperationException("This domain has no encrypt key.");
        return Encoding.UTF8.GetString(aes.DecryptCbc(data.AsSpan(16), data.AsSpan(0, 16), PaddingMode.PKCS7));
    }

    /// <summary>
    /// The date shift in whole days for a patient in this project: stable, within ±50 days and never 0. Dates
    /// (<c>date</c>, and dateTimes without a time) move by this many days.
    /// </summary>
    /// <param name="patientReference">The patient's original reference, <c>Patient/{id}</c>.</param>
    public int ShiftFor(string patientReference) => Draw(patientReference).Days;

    /// <summary>
    /// The exact shift for a patient's timestamps (dateTime and instant with a time, and telemetry): the
    /// <see cref="ShiftFor"/> days plus a per-patient part of a day that is never a whole minute, so a shifted
    /// timestamp never lands on another timestamp of the same record that was a whole number of minutes away. Every
    /// interval between the patient's timestamps survives exactly.
    /// </summary>
    public TimeSpan TimeShiftFor(string patientReference)
    {
        var (days, seconds) = Draw(patientReference);
        return TimeSpan.FromDays(days) + TimeSpan.FromSeconds(seconds);
    }

    private (int Days, int Seconds) Draw(string patientReference)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        if (_shifts.TryGetValue(patientReference, out var cached))
        {
            return cached;
        }

        var key = _dateShiftKey ?? throw new InvalidOperationException("A per-patient shift needs a project domain; without a project the policy's dateShift algorithm applies.");
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(patientReference), mac);
        var draw = (int)(BinaryPrimitives.ReadUInt32BigEndian(mac) % (2 * DateShiftRange));
        var days = draw < DateShiftRange ? draw - DateShiftRange : draw - DateShiftRange + 1;
        var seconds = 1 + (int)(BinaryPrimitives.ReadUInt32BigEndian(mac[4..]) % 86399);
        if (seconds % 60 == 0)
        {
            seconds++;
        }

        Remember(_shifts, patientReference, (days, seconds));
        return (days, seconds);
    }

    private void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        // A bounded memo, not a store: past the limit it starts again rather than grow with the data set. (Counted
        // here because ConcurrentDictionary.Count takes every lock.)
        if (Interlocked.Increment(ref _remembered) >= CacheLimit)
        {
            Interlocked.Exchange(ref _remembered, 0);
            _hashes.Clear();
            _uuids.Clear();
            _shifts.Clear();
        }

        cache[key] = value;
    }

    /// <summary>The anonymizer's own date shift: a rolling hash of prefix and dateShiftKey into [-50, 50].</summary>
    internal int CompatibleShift(string prefix)
    {
        if (FixedDateShift is { } fixedOffset)
        {
            return fixedOffset;
        }

        var offset = 0;
        foreach (var b in Encoding.UTF8.GetBytes(prefix + _compatibleDateShiftKey))
        {
            offset = ((offset * 131) + b) % ((2 * DateShiftRange) + 1);
        }

        return offset - DateShiftRange;
    }

    private static byte[] Derive(ReadOnlySpan<byte> masterKey, string purpose, string project) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey.ToArray(), 32, Salt, Encoding.UTF8.GetBytes($"{purpose}\0{project}"));
}
