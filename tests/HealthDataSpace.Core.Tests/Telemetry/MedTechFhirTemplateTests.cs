using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Templates;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;
using Hl7.Fhir.Model;
using static HealthDataSpace.Core.Tests.Telemetry.TelemetryTestData;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>
/// MedTech's FHIR destination test inputs. Expected outcomes follow MedTech's CodeValueFhirTemplateFactoryTests,
/// CollectionFhirTemplateFactoryTests and (for the two files checked against each other) MappingValidatorTests.
/// </summary>
public class MedTechFhirTemplateTests
{
    [Fact]
    public void Parse_SampledData_HourlyWithPeriodAndUnit()
    {
        var template = Single("data_CodeValueFhirTemplate_SampledData.json");
        Assert.Equal(("heartrate", ObservationPeriodInterval.Hourly), (template.TypeName, template.PeriodInterval));
        var value = Assert.IsType<SampledDataValueTemplate>(template.Value);
        Assert.Equal((5000m, "bpm", "hr"), (value.DefaultPeriod, value.Unit, value.ValueName));
        Assert.Equal(new FhirCoding("http://loinc.org", "8867-4", "Heart rate"), Assert.Single(template.Codes));
    }

    [Fact]
    public void Parse_Components_TwoSampledDataComponents()
    {
        var template = Single("data_CodeValueFhirTemplate_Components.json");
        Assert.Null(template.Value);
        Assert.Collection(
            template.Components,
            c =>
            {
                Assert.Equal(new FhirCoding("http://loinc.org", "8867-4", "Diastolic blood pressure"), Assert.Single(c.Codes));
                Assert.Equal(new SampledDataValueTemplate("diastolic", 5000m, "mmHg"), c.Value);
            },
            c =>
            {
                Assert.Equal(new FhirCoding("http://loinc.org", "8480-6", "Systolic blood pressure"), Assert.Single(c.Codes));
                Assert.Equal(new SampledDataValueTemplate("systolic", 5000m, "mmHg"), c.Value);
            });
    }

    [Fact]
    public void Parse_Quantity_UnitCodeSystem()
    {
        var template = Single("data_CodeValueFhirTemplate_Quantity.json");
        Assert.Equal(
            [new QuantityValueTemplate("diastolic", "mmHg", "mm[Hg]", "http://unitsofmeasure.org"), new QuantityValueTemplate("systolic", "mmHg", "mm[Hg]", "http://unitsofmeasure.org")],
            template.Components.Select(c => c.Value));
    }

    [Fact]
    public void Parse_CodeableConcept_TextAndCodes()
    {
        var template = Single("data_CodeValueFhirTemplate_CodeableConceptData.json");
        Assert.Equal(("alarmevent", ObservationPeriodInterval.Single), (template.TypeName, template.PeriodInterval));
        var value = Assert.IsType<CodeableConceptValueTemplate>(template.Value);
        Assert.Equal(("alarm", "Alarm!"), (value.ValueName, value.Text));
        Assert.Equal(new FhirCoding("https://www.contso.com/events/v1", "alarmevent", "Alarm Event"), Assert.Single(value.Codes));
    }

    [Fact]
    public void Parse_StringValue_AndStringComponent()
    {
        Assert.Equal(new StringValueTemplate("reasonText"), Single("data_CodeValueFhirTemplate_String.json").Value);

        var mixed = Single("data_CodeValueFhirTemplate_CodeableConceptAndStringComponent.json");
        Assert.IsType<CodeableConceptValueTemplate>(mixed.Value);
        var component = Assert.Single(mixed.Components);
        Assert.Equal(new StringValueTemplate("reason"), component.Value);
        Assert.Equal(new FhirCoding("https://www.contoso.com/events/v1", "reasonText", "Reason Text"), Assert.Single(component.Codes));
    }

    [Theory]
    [InlineData("data_CodeValueFhirTemplateInvalid_MissingFields.json", "'typeName' is required")]
    [InlineData("data_CodeValueFhirTemplateInvalid_MissingCodeField.json", "'codes' is required")]
    public void Parse_InvalidCodeValueFhir_NamesTheField(string file, string expected)
    {
        var (templates, errors) = FhirTemplateParser.Parse(MedTechDeviceContentParsingTests.InCollection(file, "CollectionFhir"));
        Assert.Empty(templates);
        Assert.Contains(errors, e => e.StartsWith("template[0] (CodeValueFhir", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data_CollectionFhirTemplateEmpty.json", "expected templateType CollectionFhir, found none")]
    [InlineData("data_InvalidJson.txt", "not valid JSON")]
    [InlineData("data_InvalidTemplateType.json", "expected templateType CollectionFhir, found 'templateType'")]
    [InlineData("data_InvalidCollectionFhirTemplateWithNoTemplateArray.json", "expected an array for the template property of CollectionFhir")]
    [InlineData("data_CollectionFhirTemplateMultipleMocks.json", "unknown templateType 'mockA'")]
    [InlineData("data_CollectionFhirTemplateInvalid.json", "'typeName' is required")]
    [InlineData("data_CollectionFhirTemplateInvalid.json", "Duplicate template defined for type name 'steps'")]
    [InlineData("data_CollectionFhirTemplateMixed.json", "expected templateType CollectionFhir, found 'CollectionContent'")]
    public void Parse_InvalidCollectionFhir_ReportsError(string file, string expected) =>
        Assert.Contains(FhirTemplateParser.Parse(Read(IomtTemplateInput(file))).Errors, e => e.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Parse_ValidCollections_NoErrors()
    {
        var empty = FhirTemplateParser.Parse(Read(IomtTemplateInput("data_CollectionFhirTemplateEmptyWithType.json")));
        Assert.Empty(empty.Errors);
        Assert.Empty(empty.Templates);

        var path = IomtTemplateInput("data_CollectionFhirTemplateValid.json");
        var valid = FhirTemplateParser.Parse(Read(path));
        Assert.Empty(valid.Errors);
        Assert.Equal(Node(path)["template"]!.AsArray().Count, valid.Templates.Count);
    }

    [Fact]
    public void Parse_MixedValidity_BloodPressureTemplateStillUsable()
    {
        var (templates, errors) = FhirTemplateParser.Parse(Read(IomtTemplateInput("data_CollectionFhirTemplateMixedValidity.json")));
        Assert.Contains(errors, e => e.StartsWith("template[1] (CodeValueFhir): 'typeName' is required", StringComparison.Ordinal));
        var template = Assert.Single(templates);
        Assert.Equal(("bloodpressure", ObservationPeriodInterval.Hourly), (template.TypeName, template.PeriodInterval));
    }

    [Fact]
    public void Validate_MatchingFiles_NoWarnings() =>
        Assert.Empty(Validation("data_CollectionFhirTemplateValid.json").Warnings);

    [Fact]
    public void Validate_FhirTemplateTypeMissing_WarnsAndBloodPressureMakesNoObservation()
    {
        var templates = Validation("data_CollectionFhirTemplateMissingTypeInvalid.json");
        Assert.Contains("No matching FHIR template exists for device-content type [bloodpressure]: its readings are stored but produce no Observation", templates.Warnings);
        Assert.Empty(templates.CreateObservationMapper().Map(Subject, [BloodPressure("60", "80")]));
    }

    [Fact]
    public void Validate_FhirValueNameWrong_WarnsAndOnlyDiastolicComponentMapped()
    {
        var templates = Validation("data_CollectionFhirTemplateIncorrectValueNameInvalid.json");
        Assert.Contains("The value [systolic] in device-content type [bloodpressure] is not represented within the FHIR template", templates.Warnings);

        var observation = Assert.Single(templates.CreateObservationMapper().Map(Subject, [BloodPressure("60", "80")])).Observation;
        Assert.Equal("bloodpressure", observation.Code.Text);
        var component = Assert.Single(observation.Component);
        Assert.Equal("diastolic", component.Code.Text);
        Assert.Contains("80", Assert.IsType<SampledData>(component.Value).Data, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_ValidationFiles_ComponentsInTemplateOrder()
    {
        var observation = Assert.Single(Validation("data_CollectionFhirTemplateValid.json").CreateObservationMapper().Map(Subject, [BloodPressure("60", "80")])).Observation;
        Assert.Collection(
            observation.Component,
            c => Assert.Equal(("diastolic", true), (c.Code.Text, ((SampledData)c.Value).Data.Contains("80", StringComparison.Ordinal))),
            c => Assert.Equal(("systolic", true), (c.Code.Text, ((SampledData)c.Value).Data.Contains("60", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("data_CollectionContentTemplateInvalid.json", "'deviceIdExpression' is required")]
    public void Validate_InvalidDeviceMapping_Throws(string file, string expected)
    {
        var e = Assert.Throws<TemplateLoadException>(() => TelemetryTemplateFactory.Create(Read(IomtValidationInput(file)), Read(IomtValidationInput("data_CollectionFhirTemplateValid.json"))));
        Assert.Contains(e.Errors, error => error.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SingleCodeValueFhirInsteadOfCollection_Throws()
    {
        var e = Assert.Throws<TemplateLoadException>(() => TelemetryTemplateFactory.Create(
            Read(IomtValidationInput("data_CollectionContentTemplateHrAndBloodPressureValid.json")),
            Read(IomtValidationInput("data_CodeValueFhirTemplateInvalid_MissingFields.json"))));
        Assert.Contains("expected templateType CollectionFhir, found 'CodeValueFhir'", Assert.Single(e.Errors), StringComparison.Ordinal);
    }

    private static readonly TelemetrySubject Subject = new("abc", "Device/abc", "Patient/p1");

    private static NormalizedReading BloodPressure(string systolic, string diastolic) =>
        new("bloodpressure", new DateTimeOffset(2026, 1, 15, 10, 30, 0, TimeSpan.Zero), [new("systolic", systolic), new("diastolic", diastolic)]);

    private static TelemetryTemplates Validation(string fhirFile) => TelemetryTemplateFactory.Create(
        Read(IomtValidationInput("data_CollectionContentTemplateHrAndBloodPressureValid.json")),
        Read(IomtValidationInput(fhirFile)));

    private static CodeValueFhirTemplate Single(string file)
    {
        var (templates, errors) = FhirTemplateParser.Parse(MedTechDeviceContentParsingTests.InCollection(file, "CollectionFhir"));
        Assert.Empty(errors);
        return Assert.Single(templates);
    }

}
