using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Core.Telemetry.Templates;

/// <summary>
/// Which telemetry templates the gateway uses (configuration section <c>Telemetry:Templates</c>). Both files are in the
/// Azure MedTech service's format, so a MedTech user's <c>devicecontent.json</c> and <c>fhirmapping.json</c> work
/// unchanged. Leave a path empty to use the shipped defaults (docs/telemetry-templates.md).
/// </summary>
public sealed class TelemetryTemplateOptions
{
    public const string SectionName = "Telemetry:Templates";

    /// <summary>A device-content file (CollectionContent). Empty: the shipped defaults.</summary>
    public string? DeviceContentPath { get; set; }

    /// <summary>A FHIR destination file (CollectionFhir). Empty: the shipped defaults.</summary>
    public string? FhirMappingPath { get; set; }

    /// <summary>How many seconds after the gateway's clock a reading may be stamped. Default 300 (5 minutes).</summary>
    [Range(0, 86_400)]
    public int MaxFutureSkewSeconds { get; set; } = 300;

    /// <summary>Refuse payloads that name another device than the sender (deviceIdExpression). Default true.</summary>
    public bool RequirePayloadDeviceMatch { get; set; } = true;

    /// <summary>Refuse physiologically impossible values (SpO2 over 100 %, ...). Default true.</summary>
    public bool CheckPlausibility { get; set; } = true;

    /// <summary>Most readings one message may yield. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxReadingsPerMessage { get; set; } = 100_000;
}
