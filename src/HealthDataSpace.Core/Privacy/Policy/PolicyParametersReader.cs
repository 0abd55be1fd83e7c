using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HealthDataSpace.Core.Privacy;

/// <summary>Reads the <c>parameters</c> section. Error messages name the parameter, never its value.</summary>
internal static class PolicyParametersReader
{
    public static PolicyParameters Read(JsonElement root)
    {
        if (!AnonymizationPolicy.TryGetProperty(root, "parameters", out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return new PolicyParameters();
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException("parameters must be a JSON object.");
        }

        var encryptKey = Text(p, "encryptKey");
        if (!string.IsNullOrEmpty(encryptKey))
        {
            var bits = Encoding.UTF8.GetByteCount(encryptKey) * 8;
            if (bits is not (128 or 192 or 256))
            {
                throw new PolicyException(string.Create(CultureInfo.InvariantCulture,
                    $"parameters.encryptKey is {bits} bits long; AES needs 128, 192 or 256 bits (16, 24 or 32 UTF-8 bytes)."));
            }
        }

        return new PolicyParameters
        {
            DateShiftKey = Text(p, "dateShiftKey"),
            DateShiftScope = Scope(p),
            DateShiftFixedOffsetInDays = FixedOffset(p),
            CryptoHashKey = Text(p, "cryptoHashKey"),
            EncryptKey = encryptKey,
            EnablePartialAgesForRedact = Flag(p, "enablePartialAgesForRedact"),
            EnablePartialDatesForRedact = Flag(p, "enablePartialDatesForRedact"),
            EnablePartialZipCodesForRedact = Flag(p, "enablePartialZipCodesForRedact"),
            RestrictedZipCodeTabulationAreas = ZipAreas(p),
        };
    }

    private static string? Text(JsonElement p, string name)
    {
        if (!AnonymizationPolicy.TryGetProperty(p, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new PolicyException($"parameters.{name} must be a string.");
    }

    private static bool Flag(JsonElement p, string name)
    {
        if (!AnonymizationPolicy.TryGetProperty(p, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
            _ => throw new PolicyException($"parameters.{name} must be true or false."),
        };
    }

    private static DateShiftScope Scope(JsonElement p)
    {
        var text = Text(p, "dateShiftScope");
        return string.IsNullOrEmpty(text) ? DateShiftScope.Resource : text.ToUpperInvariant() switch
        {
            "RESOURCE" => DateShiftScope.Resource,
            "FILE" => DateShiftScope.File,
            "FOLDER" => DateShiftScope.Folder,
            _ => throw new PolicyException("parameters.dateShiftScope must be 'resource', 'file' or 'folder'."),
        };
    }

    private static int? FixedOffset(JsonElement p)
    {
        if (!AnonymizationPolicy.TryGetProperty(p, "dateShiftFixedOffsetInDays", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var days) && days is >= -365 and <= 365
            ? days
            : throw new PolicyException("parameters.dateShiftFixedOffsetInDays must be a whole number of days from -365 to 365.");
    }

    private static string[] ZipAreas(JsonElement p)
    {
        if (!AnonymizationPolicy.TryGetProperty(p, "restrictedZipCodeTabulationAreas", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PolicyException("parameters.restrictedZipCodeTabulationAreas must be an array of strings.");
        }

        return [.. value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new PolicyException("parameters.restrictedZipCodeTabulationAreas must be an array of strings."))];
    }
}
