using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// Makes a released Patient as coarse as the k-anonymity gate's classes were: the classes were formed on birth-year
/// bands and shortened postal regions, so releasing the exact year or the longer region would let a partner split a
/// class of k again. The birth date becomes the first year of its band (with an extension giving the band), every
/// postal code is cut to the region length used.
/// </summary>
internal static class PatientGeneralizer
{
    public const string BirthYearBandExtension = "https://healthdataspace.eu/fhir/StructureDefinition/birth-year-band";

    public static byte[] Apply(ReadOnlySpan<byte> pseudonymisedPatient, KAnonymityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var patient = JsonNode.Parse(pseudonymisedPatient)!.AsObject();
        var usesBand = report.QuasiIdentifiersUsed.Contains(QuasiIdentifiers.BirthYearBand);
        if (usesBand && patient["birthDate"]?.GetValue<string>() is { Length: >= 4 } birthDate
            && int.TryParse(birthDate.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            var width = report.BirthYearBandWidth;
            var start = year - (((year % width) + width) % width);
            patient["birthDate"] = start.ToString("D4", CultureInfo.InvariantCulture);
            var extensions = patient["extension"] as JsonArray ?? [];
            extensions.Add(new JsonObject
            {
                ["url"] = BirthYearBandExtension,
                ["valueRange"] = new JsonObject
                {
                    ["low"] = new JsonObject { ["value"] = start },
                    ["high"] = new JsonObject { ["value"] = start + width - 1 },
                },
            });
            patient["extension"] = extensions;
        }

        if (report.QuasiIdentifiersUsed.Contains(QuasiIdentifiers.PostalRegion) && patient["address"] is JsonArray addresses)
        {
            foreach (var address in addresses.OfType<JsonObject>())
            {
                if (address["postalCode"]?.GetValue<string>() is { } code && code.Length > report.PostalRegionDigits)
                {
                    address["postalCode"] = code[..report.PostalRegionDigits];
                }
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(patient, DatasetManifest.CompactJson);
    }
}
