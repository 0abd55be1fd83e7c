using HealthDataSpace.Core.Telemetry.Normalization;
using HealthDataSpace.Core.Telemetry.Observations;
using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

namespace HealthDataSpace.Core.Telemetry.Templates;

/// <summary>A validated pair of template files and what is built from them.</summary>
internal sealed class TelemetryTemplates(
    DeviceContentTemplateSet deviceContent,
    FhirMappingTemplateSet fhirMapping,
    TelemetryNormalizerOptions normalizerOptions,
    IReadOnlyList<string> warnings)
{
    public DeviceContentTemplateSet DeviceContent => deviceContent;

    public FhirMappingTemplateSet FhirMapping => fhirMapping;

    public TelemetryNormalizerOptions NormalizerOptions => normalizerOptions;

    /// <summary>Mismatches between the two files (a reading type with no FHIR template, a value one file lacks); not fatal.</summary>
    public IReadOnlyList<string> Warnings => warnings;

    public TemplateTelemetryNormalizer CreateNormalizer() => new(deviceContent, normalizerOptions);

    public TemplateObservationMapper CreateObservationMapper() => new(fhirMapping);
}

/// <summary>
/// Loads and validates the telemetry templates named by <see cref="TelemetryTemplateOptions"/> (or the shipped
/// defaults) and builds the <see cref="ITelemetryNormalizer"/> and <see cref="ITelemetryObservationMapper"/> from them.
/// Any error in either file throws <see cref="TemplateLoadException"/> listing them all (template index, field, line),
/// so a bad file stops start-up instead of silently dropping readings.
/// </summary>
internal static class TelemetryTemplateFactory
{
    public const string DefaultDeviceContentResource = "HealthDataSpace.Telemetry.devicecontent.json";
    public const string DefaultFhirMappingResource = "HealthDataSpace.Telemetry.fhirmapping.json";

    public static TelemetryTemplates LoadDefaults() => Load(new TelemetryTemplateOptions());

    public static TelemetryTemplates Load(TelemetryTemplateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var deviceJson = Read(options.DeviceContentPath, DefaultDeviceContentResource, "Telemetry:Templates:DeviceContentPath");
        var fhirJson = Read(options.FhirMappingPath, DefaultFhirMappingResource, "Telemetry:Templates:FhirMappingPath");
        return Create(deviceJson, fhirJson, options, Describe(options.DeviceContentPath, "devicecontent"), Describe(options.FhirMappingPath, "fhirmapping"));
    }

    /// <summary>Builds from the two files' text (tests, and callers that read the files themselves).</summary>
    public static TelemetryTemplates Create(
        string deviceContentJson,
        string fhirMappingJson,
        TelemetryTemplateOptions? options = null,
        string deviceContentSource = "device-content templates",
        string fhirMappingSource = "FHIR mapping templates")
    {
        options ??= new TelemetryTemplateOptions();
        var device = DeviceContentTemplateSet.Parse(deviceContentJson, out _, source: deviceContentSource);
        var fhir = FhirMappingTemplateSet.Parse(fhirMappingJson, out _, source: fhirMappingSource);
        var normalizerOptions = new TelemetryNormalizerOptions
        {
            MaxFutureSkew = TimeSpan.FromSeconds(options.MaxFutureSkewSeconds),
            RequirePayloadDeviceMatch = options.RequirePayloadDeviceMatch,
            MaxReadingsPerMessage = options.MaxReadingsPerMessage,
            Plausibility = options.CheckPlausibility ? PlausibilityTable.Default : PlausibilityTable.None,
        };
        return new TelemetryTemplates(device, fhir, normalizerOptions, TemplateSetValidator.Warnings(device, fhir));
    }

    /// <summary>Every problem of the configured files, for an options validator at start-up; empty when they load.</summary>
    public static IReadOnlyList<string> Validate(TelemetryTemplateOptions options)
    {
        try
        {
            _ = Load(options);
            return [];
        }
        catch (TemplateLoadException e)
        {
            return e.Errors.Count > 0 ? e.Errors : [e.Message];
        }
    }

    public static string ReadDefault(string resource)
    {
        using var stream = typeof(TelemetryTemplateFactory).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded template {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Describe(string? path, string name) =>
        string.IsNullOrWhiteSpace(path) ? $"shipped {name}.json" : $"{name} file '{path}'";

    private static string Read(string? path, string defaultResource, string setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return ReadDefault(defaultResource);
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TemplateLoadException($"{setting} '{path}' cannot be read: {e.Message}", e);
        }
    }
}
