using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

namespace HealthDataSpace.Core.Telemetry.Templates;

/// <summary>
/// Checks the two files against each other, as MedTech's mapping validator does, and reports mismatches as warnings
/// (both files still load): a reading type with no FHIR template is stored but never becomes an Observation; a value
/// one file names and the other does not is dropped from (or missing in) the Observation.
/// </summary>
internal static class TemplateSetValidator
{
    public static IReadOnlyList<string> Warnings(DeviceContentTemplateSet device, FhirMappingTemplateSet fhir)
    {
        var warnings = new List<string>();
        var produced = device.Templates
            .GroupBy(t => t.TypeName, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.SelectMany(t => t.Values.Select(v => v.Name)).ToHashSet(StringComparer.Ordinal), StringComparer.OrdinalIgnoreCase);

        foreach (var (type, values) in produced)
        {
            if (!fhir.TryGet(type, out var template))
            {
                warnings.Add($"No matching FHIR template exists for device-content type [{type}]: its readings are stored but produce no Observation");
                continue;
            }

            var mapped = template.AllValues.Select(v => v.ValueName).ToHashSet(StringComparer.Ordinal);
            foreach (var value in values.Where(v => !mapped.Contains(v)))
            {
                warnings.Add($"The value [{value}] in device-content type [{type}] is not represented within the FHIR template");
            }
        }

        foreach (var template in fhir.Templates)
        {
            if (!produced.TryGetValue(template.TypeName, out var values))
            {
                warnings.Add($"FHIR template [{template.TypeName}] (template[{template.Index}]) has no device-content template producing its type");
                continue;
            }

            foreach (var value in template.AllValues.Where(v => !values.Contains(v.ValueName)))
            {
                warnings.Add($"FHIR template [{template.TypeName}] value [{value.ValueName}] is produced by no device-content template of that type");
            }
        }

        return warnings;
    }
}
