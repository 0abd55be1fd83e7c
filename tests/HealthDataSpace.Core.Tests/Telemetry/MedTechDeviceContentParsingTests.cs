using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// MedTech's own device-content test inputs (iomt-fhir test/…Template.UnitTests/TestInput). Expected outcomes follow the
/// assertions of MedTech's CollectionContentTemplateFactoryTests, JsonContentTemplateFactoryTests,
/// IotJsonPathContentTemplateFactoryTests, IotCentralJsonPathContentTemplateFactoryTests,
/// CalculatedFunctionContentTemplateFactoryTests and TemplateExtensionsTests.
/// </summary>
public class MedTechDeviceContentParsingTests
{
    [Theory]
    [InlineData("data_CollectionContentTemplateEmpty.json", "expected templateType CollectionContent")]
    [InlineData("data_InvalidJson.txt", "not valid JSON")]
    [InlineData("data_InvalidTemplateType.json", "expected templateType CollectionContent, found 'templateType'")]
    [InlineData("data_InvalidCollectionContentTemplateWithNoTemplateArray.json", "expected an array for the template property of CollectionContent")]
    [InlineData("data_CollectionContentTemplateMultipleMocks.json", "unknown templateType 'mockA'")]
    public void Parse_InvalidCollection_ReportsError(string file, string expected)
    {
        var (_, errors) = ContentTemplateParser.Parse(Read(IomtTemplateInput(file)));
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_EmptyCollectionLowercaseType_IsValid()
    {
        var (templates, errors) = ContentTemplateParser.Parse(Read(IomtTemplateInput("data_CollectionContentTemplateEmptyWithType.json")));
        Assert.Empty(errors);
        Assert.Empty(templates);
    }

    [Fact]
    public void Parse_MixedCollection_AllTemplatesValid()
    {
        var path = IomtTemplateInput("data_CollectionContentTemplateMixed.json");
        var (templates, errors) = ContentTemplateParser.Parse(Read(path));
        Assert.Empty(errors);
        Assert.Equal(Node(path)["template"]!.AsArray().Count, templates.Count);
    }

    [Fact]
    public void Parse_InvalidCollection_NamesEachMissingRequiredField()
    {
        var (templates, errors) = ContentTemplateParser.Parse(Read(IomtTemplateInput("data_CollectionContentTemplateInvalid.json")));
        Assert.Empty(templates);
        Assert.Contains(errors, e => e.StartsWith("template[0] (JsonPathContent 'heartrate'): 'deviceIdExpression' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("template[0] (JsonPathContent 'heartrate'): 'timestampExpression' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("template[1] (IotJsonPathContent 'bootTime'): 'typeMatchExpression' is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MixedValidity_KeepsValidTemplatesThatStillExtract()
    {
        var (templates, errors) = ContentTemplateParser.Parse(Read(IomtTemplateInput("data_CollectionContentTemplateMixedValidity.json")));

        // Only the IotJsonPathContent entry (index 2) lacks its required typeMatchExpression.
        var error = Assert.Single(errors);
        Assert.StartsWith("template[2] (IotJsonPathContent 'bootTime'): 'typeMatchExpression' is required", error, StringComparison.Ordinal);
        Assert.Equal([0, 1, 3], templates.Select(t => t.Index));

        var set = new DeviceContentTemplateSet(templates);
        var readings = set.Extract(Newtonsoft.Json.Linq.JObject.Parse("""{"heartrate": "60", "device": "myHrDevice", "date": "2026-01-15T11:00:00Z"}"""));

        // MedTech asserts the JsonPathContent reading (hr = 60 from myHrDevice); the CalculatedContent entry of the same
        // file is well-formed too and yields its own value name.
        Assert.Contains(readings, r => r is { Type: "heartrate", DeviceId: "myHrDevice" } && r.Values.SequenceEqual([new("hr", "60")]));
        Assert.Contains(readings, r => r is { Type: "heartrate", DeviceId: "myHrDevice" } && r.Values.SequenceEqual([new("hr-calc-content", "60")]));
        Assert.Equal(2, readings.Count);
    }

    [Theory]
    [InlineData("data_JsonPathContentTemplateValid.json", null)]
    [InlineData("data_JsonPathContentTemplateValidWithOptional.json", "$.sessionid")]
    public void Parse_JsonPathContent_FieldsAsWritten(string file, string? correlation)
    {
        var template = Single(file);
        Assert.Equal(ContentTemplateKind.JsonPath, template.Kind);
        Assert.Equal("heartrate", template.TypeName);
        Assert.Equal("$..[?(@heartrate)]", template.TypeMatch.Text);
        Assert.Equal("$.device", template.DeviceId.Text);
        Assert.Equal("$.date", Assert.Single(template.Timestamp).Text);
        Assert.Equal(correlation, template.CorrelationId?.Text);
        var value = Assert.Single(template.Values);
        Assert.Equal(("hr", "$.heartrate", true), (value.Name, value.Expression.Text, value.Required));
    }

    [Fact]
    public void Parse_JsonPathContentMissingExpressions_NamesBoth()
    {
        var errors = Errors("data_JsonPathContentTemplateInvalidMissingExpression.json");
        Assert.Contains(errors, e => e.Contains("'deviceIdExpression' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'timestampExpression' is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data_IotJsonPathContentTemplateValid.json")]
    [InlineData("data_IotJsonPathContentTemplateValidWithOptional.json")]
    public void Parse_IotJsonPathContent_UsesIotHubDeviceIdAndTimes(string file)
    {
        var template = Single(file);
        Assert.Equal(ContentTemplateKind.IotJsonPath, template.Kind);
        Assert.Equal("$..[?(@Body.heartrate)]", template.TypeMatch.Text);
        Assert.Equal("$.SystemProperties.iothub-connection-device-id", template.DeviceId.Text);
        Assert.Equal(["$.Properties.iothub-creation-time-utc", "$.SystemProperties.iothub-enqueuedtime"], template.Timestamp.Select(t => t.Text));
        Assert.Equal(("hr", "$.Body.heartrate", true), (template.Values[0].Name, template.Values[0].Expression.Text, template.Values[0].Required));
    }

    [Theory]
    [InlineData("data_IotCentralJsonPathContentTemplateValid.json")]
    [InlineData("data_IotCentralJsonPathContentTemplateValidWithOptional.json")]
    public void Parse_IotCentralJsonPathContent_UsesExportDeviceIdAndTime(string file)
    {
        var template = Single(file);
        Assert.Equal(ContentTemplateKind.IotCentralJsonPath, template.Kind);
        Assert.Equal("telemetry", template.TypeName);
        Assert.Equal("$.deviceId", template.DeviceId.Text);
        Assert.Equal("$.enqueuedTime", Assert.Single(template.Timestamp).Text);
        Assert.Equal(["activity", "bp_diastolic"], template.Values.Select(v => v.Name));
        Assert.Equal(["$.template.Activity", "$.template.BloodPressure.Diastolic"], template.Values.Select(v => v.Expression.Text));
    }

    [Theory]
    [InlineData("data_IotJsonPathContentTemplateInvalidMissingTypeMetadata.json")]
    [InlineData("data_IotCentralJsonPathContentTemplateInvalidMissingTypeMetadata.json")]
    public void Parse_IotTemplateWithoutTypeMetadata_NamesTypeNameAndTypeMatch(string file)
    {
        var errors = Errors(file);
        Assert.Contains(errors, e => e.Contains("'typeName' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'typeMatchExpression' is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data_IotJsonPathContentTemplateInvalidMissingValueField.json")]
    [InlineData("data_IotCentralJsonPathContentTemplateInvalidMissingValueField.json")]
    public void Parse_ValueWithoutName_NamesValueName(string file) =>
        Assert.Contains(Errors(file), e => e.Contains("values[0]: 'valueName' is required", StringComparison.Ordinal));

    [Theory]
    [InlineData("data_CalculatedFunctionContentTemplateValid.json")]
    [InlineData("data_CalculatedFunctionContentTemplateValidExpressionObject.json")]
    [InlineData("data_CalculatedFunctionContentTemplateValidOptional.json")]
    public void Parse_CalculatedContent_JsonPathByDefaultOrAsDeclared(string file)
    {
        var template = Single(file);
        Assert.Equal(ContentTemplateKind.Calculated, template.Kind);
        Assert.Equal("$..[?(@heartrate)]", template.TypeMatch.Text);
        Assert.Equal("$.device", template.DeviceId.Text);
        Assert.Equal("$.date", Assert.Single(template.Timestamp).Text);
        Assert.All(new[] { template.TypeMatch, template.DeviceId, template.Timestamp[0], template.Values[0].Expression },
            e => Assert.Equal(Core.Telemetry.Templates.Expressions.ExpressionLanguage.JsonPath, e.Language));
        Assert.Equal(file.Contains("Optional", StringComparison.Ordinal) ? "$.correlationId" : null, template.CorrelationId?.Text);
    }

    [Fact]
    public void Parse_CalculatedContentWithUnknownAndMissingMembers_FourErrorsWithLines()
    {
        // TemplateExtensionsTests: two unknown members (lines 5 and 6) and two missing required ones (line 3, the template object).
        var errors = Errors("data_CalculatedFunctionContentTemplateValidInvalidAndMissingMembers.json");
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("'typeMatchExpressionFake' is not a field", StringComparison.Ordinal) && e.EndsWith("(line 5)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'deviceIdExpressionFake' is not a field", StringComparison.Ordinal) && e.EndsWith("(line 6)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'typeMatchExpression' is required", StringComparison.Ordinal) && e.EndsWith("(line 3)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'deviceIdExpression' is required", StringComparison.Ordinal) && e.EndsWith("(line 3)", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_JmesPathCollection_ExtractsHeartRateAndSteps()
    {
        var (templates, errors) = ContentTemplateParser.Parse(Read(IomtTemplateInput("data_CollectionContentTemplateHrAndStepsJmesPath.json")));
        Assert.Empty(errors);
        Assert.All(templates, t => Assert.Equal(Core.Telemetry.Templates.Expressions.ExpressionLanguage.JmesPath, t.TypeMatch.Language));

        var set = new DeviceContentTemplateSet(templates);
        var readings = set.Extract(Newtonsoft.Json.Linq.JObject.Parse("""{"heartrate": "61", "device": "d1", "date": "2026-01-15T11:00:00Z"}"""));
        var reading = Assert.Single(readings);
        Assert.Equal(("heartrate", "d1", "hr", "61"), (reading.Type, reading.DeviceId, reading.Values[0].Name, reading.Values[0].Value));
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 11, 0, 0, TimeSpan.Zero), reading.OccurrenceTime);
    }

    [Fact]
    public void Parse_BadExpressions_ErrorNamesTemplateAndField()
    {
        var (_, errors) = ContentTemplateParser.Parse("""
            {"templateType": "CollectionContent", "template": [
              {"templateType": "JsonPathContent", "template": {"typeName": "hr", "typeMatchExpression": "$..[?(@hr",
                "deviceIdExpression": "$.d", "timestampExpression": "$.t", "values": [{"valueName": "hr", "valueExpression": "$.hr"}]}},
              {"templateType": "CalculatedContent", "template": {"typeName": "x", "defaultExpressionLanguage": "JmesPath",
                "typeMatchExpression": "foo[", "deviceIdExpression": "d", "timestampExpression": "t"}},
              {"templateType": "JsonPathContent", "template": {"typeName": "y", "typeMatchExpression": {"value": "a", "language": "JmesPath"},
                "deviceIdExpression": "$.d", "timestampExpression": "$.t"}}
            ]}
            """);
        Assert.Contains(errors, e => e.StartsWith("template[0] (JsonPathContent 'hr'): 'typeMatchExpression' is not a valid JSONPath expression", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("template[1] (CalculatedContent 'x'): 'typeMatchExpression' is not a valid JMESPath expression", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("template[2] (JsonPathContent 'y'): 'typeMatchExpression' uses JmesPath", StringComparison.Ordinal));
    }

    /// <summary>A single-template test input placed in a collection on its own first line, so line numbers stay as in the file.</summary>
    internal static string InCollection(string file, string collectionType = "CollectionContent") =>
        $$"""{"templateType": "{{collectionType}}", "template": [""" + Read(IomtTemplateInput(file)).TrimStart('\uFEFF') + "]}";

    private static ContentTemplate Single(string file)
    {
        var (templates, errors) = ContentTemplateParser.Parse(InCollection(file));
        Assert.Empty(errors);
        return Assert.Single(templates);
    }

    private static IReadOnlyList<string> Errors(string file)
    {
        var (templates, errors) = ContentTemplateParser.Parse(InCollection(file));
        Assert.Empty(templates);
        return errors;
    }
}
