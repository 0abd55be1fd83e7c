using System.Text.Json;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research.Cohorts;
using HealthDataSpace.Core.Telemetry.Templates;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

namespace HealthDataSpace.Core.Tests.Research;

/// <summary>
/// The telemetry type table against the shipped templates it is taken from: each criterion type names a reading type
/// and value the device-content templates produce, and the LOINC codes and unit the FHIR templates give that value.
/// </summary>
public sealed class TelemetryTypesTests
{
    private static readonly TelemetryTemplates Shipped = TelemetryTemplateFactory.LoadDefaults();

    public static TheoryData<string> Names() => [.. TelemetryTypes.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Type_ReadingTypeAndValue_ProducedByShippedDeviceContentTemplates(string name)
    {
        var type = TelemetryTypes.All.Single(t => t.Name == name);

        Assert.Contains(Shipped.DeviceContent.Templates, t =>
            string.Equals(t.TypeName, type.ReadingType, StringComparison.OrdinalIgnoreCase)
            && t.Values.Any(v => string.Equals(v.Name, type.ValueName, StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Type_LoincCodesAndUnit_AsShippedFhirTemplateWritesThatValue(string name)
    {
        var type = TelemetryTypes.All.Single(t => t.Name == name);
        Assert.True(Shipped.FhirMapping.TryGet(type.ReadingType, out var template));

        // The Observation's own value carries the template's codes; a component's value carries the component's codes.
        var (codes, value) = template.Value is { } own && own.ValueName == type.ValueName
            ? (template.Codes, own)
            : template.Components.Where(c => c.Value.ValueName == type.ValueName).Select(c => (c.Codes, c.Value)).Single();
        var unit = value switch
        {
            QuantityValueTemplate quantity => quantity.Code,
            SampledDataValueTemplate sampled => sampled.Unit,
            _ => null,
        };

        Assert.Equal(codes.Where(c => c.System == TelemetryTypes.LoincSystem).Select(c => c.Code), type.LoincCodes);
        Assert.Equal(unit, type.Unit);
    }

    [Fact]
    public void Table_IndexesArePositions_NamesUnique_ReadingValuesUnique()
    {
        Assert.Equal(Enumerable.Range(0, TelemetryTypes.All.Count), TelemetryTypes.All.Select(t => t.Index));
        Assert.Equal(TelemetryTypes.All.Count, TelemetryTypes.Names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(TelemetryTypes.All.Count, TelemetryTypes.All.Select(t => (t.ReadingType.ToUpperInvariant(), t.ValueName.ToUpperInvariant())).Distinct().Count());
    }

    [Theory]
    [InlineData("heartrate", "hr", "heart-rate")]
    [InlineData("heartRate", "HR", "heart-rate")]
    [InlineData("bloodpressure", "systolic", "systolic-blood-pressure")]
    [InlineData("bloodpressure", "diastolic", "diastolic-blood-pressure")]
    [InlineData("bloodpressure", "pulse", null)]
    [InlineData("stepsdaily", "steps", null)]
    [InlineData("glucose", "value", null)]
    public void OfReading_MapsReadingTypeAndValueName(string readingType, string valueName, string? expected)
    {
        var types = TelemetryTypes.OfReading(readingType);

        Assert.Equal(expected, types is null ? null : TelemetryTypes.OfValue(types, valueName)?.Name);
    }

    [Fact]
    public void Parse_EveryTableName_Accepted_OthersRefusedListingThem()
    {
        foreach (var name in TelemetryTypes.Names)
        {
            var criterion = CohortCriteriaParser.Parse(JsonDocument.Parse($$$"""{"telemetry":{"type":"{{{name}}}","aggregate":"avg","gt":1,"window":"P1D"}}""").RootElement);
            Assert.Equal(name, Assert.IsType<TelemetryCriterion>(criterion).Type.Name);
        }

        var error = Assert.Throws<FhirException>(() =>
            CohortCriteriaParser.Parse(JsonDocument.Parse("""{"telemetry":{"type":"stepsdaily","aggregate":"avg","gt":1,"window":"P1D"}}""").RootElement));
        Assert.Contains(string.Join(", ", TelemetryTypes.Names), error.Message, StringComparison.Ordinal);
    }
}
