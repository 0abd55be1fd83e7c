using HealthDataSpace.Core.Telemetry.Templates;
using HealthDataSpace.Tests.Common;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>Options, the factory, the shipped defaults, and MedTech users' own files loading unchanged.</summary>
public sealed class TemplateLoadingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hds-templates-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Options_Defaults()
    {
        var options = new TelemetryTemplateOptions();
        Assert.Equal("Telemetry:Templates", TelemetryTemplateOptions.SectionName);
        Assert.Equal((null, null, 300, true, true), (options.DeviceContentPath, options.FhirMappingPath, options.MaxFutureSkewSeconds, options.RequirePayloadDeviceMatch, options.CheckPlausibility));
    }

    [Fact]
    public void LoadDefaults_AllShippedTemplatesLoadWithoutWarnings()
    {
        var defaults = TelemetryTemplateFactory.LoadDefaults();
        var source = Path.Combine(RepositoryPaths.Root, "src", "HealthDataSpace.Core", "Telemetry", "Templates", "Defaults");
        Assert.Equal(Node(Path.Combine(source, "devicecontent.json"))["template"]!.AsArray().Count, defaults.DeviceContent.Templates.Count);
        Assert.Equal(Node(Path.Combine(source, "fhirmapping.json"))["template"]!.AsArray().Count, defaults.FhirMapping.Templates.Count);
        Assert.Empty(defaults.Warnings);
        Assert.Equal(TimeSpan.FromMinutes(5), defaults.NormalizerOptions.MaxFutureSkew);
    }

    [Fact]
    public void LoadDefaults_CoverTheSixVitalSignsWithLoinc()
    {
        var fhir = TelemetryTemplateFactory.LoadDefaults().FhirMapping;
        var loinc = fhir.Templates.ToDictionary(t => t.TypeName, t => t.Codes.Concat(t.Components.SelectMany(c => c.Codes)).Select(c => c.Code).ToHashSet());
        Assert.Superset(new HashSet<string?> { "8867-4" }, loinc["heartrate"]);
        Assert.Superset(new HashSet<string?> { "59408-5", "2708-6" }, loinc["spo2"]);
        Assert.Superset(new HashSet<string?> { "55423-8" }, loinc["steps"]);
        Assert.Superset(new HashSet<string?> { "41950-7" }, loinc["stepsdaily"]);
        Assert.Superset(new HashSet<string?> { "85354-9", "8480-6", "8462-4" }, loinc["bloodpressure"]);
        Assert.Superset(new HashSet<string?> { "8310-5" }, loinc["bodytemperature"]);
        Assert.Superset(new HashSet<string?> { "9279-1" }, loinc["respiratoryrate"]);
    }

    [Theory]
    [InlineData("basic", "basic")]
    [InlineData("healthkitOnFhir", "healthkitOnFhir")]
    [InlineData("sandbox", "sandbox")]
    [InlineData("sandbox/legacy", "sandbox")]
    public void Load_MedTechSampleFiles_LoadUnchanged(string deviceFolder, string fhirFolder)
    {
        var templates = TelemetryTemplateFactory.Load(new TelemetryTemplateOptions
        {
            DeviceContentPath = IomtSample(deviceFolder, "devicecontent.json"),
            FhirMappingPath = IomtSample(fhirFolder, "fhirmapping.json"),
        });
        Assert.Equal(Node(IomtSample(deviceFolder, "devicecontent.json"))["template"]!.AsArray().Count, templates.DeviceContent.Templates.Count);
        Assert.Equal(Node(IomtSample(fhirFolder, "fhirmapping.json"))["template"]!.AsArray().Count, templates.FhirMapping.Templates.Count);
    }

    [Fact]
    public void Load_MedTechBasicSample_NormalisesItsPayloadShape()
    {
        var templates = TelemetryTemplateFactory.Load(new TelemetryTemplateOptions
        {
            DeviceContentPath = IomtSample("basic", "devicecontent.json"),
            FhirMappingPath = IomtSample("basic", "fhirmapping.json"),
        });
        var readings = templates.CreateNormalizer().Normalize(
            Json("band-7", """{"deviceid": "band-7", "patientid": "p", "measurementdatetime": "2026-01-15T11:00:00Z", "heartrate": 64, "steps": 12}"""), Now).Accepted();
        Assert.Equal([("heartrate", "hr", "64"), ("steps", "steps", "12")], readings.Select(r => (r.Type, r.Values[0].Name, r.Values[0].Value)));
        Assert.Equal(2, templates.CreateObservationMapper().Map(new("band-7", "Device/b7", "Patient/p"), readings).Count);
    }

    [Fact]
    public void Load_MissingFile_NamesTheSetting()
    {
        var e = Assert.Throws<TemplateLoadException>(() => TelemetryTemplateFactory.Load(new TelemetryTemplateOptions { DeviceContentPath = Path.Combine(_folder, "absent.json") }));
        Assert.StartsWith("Telemetry:Templates:DeviceContentPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadFile_EveryProblemWithIndexFieldAndLine()
    {
        var path = Path.Combine(_folder, "devicecontent.json");
        File.WriteAllText(path, """
            {
              "templateType": "CollectionContent",
              "template": [
                { "templateType": "JsonPathContent", "template": { "typeName": "hr", "typeMatchExpression": "$..[?(@hr)]",
                  "deviceIdExpression": "$.d", "timestampExpression": "$.t", "values": [ { "valueName": "hr", "valueExpresion": "$.hr" } ] } },
                { "templateType": "CodeValueFhir", "template": {} }
              ]
            }
            """);
        var errors = TelemetryTemplateFactory.Validate(new TelemetryTemplateOptions { DeviceContentPath = path });
        Assert.Equal(
            [
                "template[0] (JsonPathContent 'hr') values[0]: 'valueExpression' is required (line 5)",
                "template[0] (JsonPathContent 'hr') values[0]: 'valueExpresion' is not a field of this template type (line 5)",
                "template[1]: unknown templateType 'CodeValueFhir' (expected JsonPathContent, IotJsonPathContent, IotCentralJsonPathContent or CalculatedContent) (line 6)",
            ],
            errors);
        var e = Assert.Throws<TemplateLoadException>(() => TelemetryTemplateFactory.Load(new TelemetryTemplateOptions { DeviceContentPath = path }));
        Assert.StartsWith($"devicecontent file '{path}': 3 problem(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShippedDefaults_NoProblems() => Assert.Empty(TelemetryTemplateFactory.Validate(new TelemetryTemplateOptions()));
}
