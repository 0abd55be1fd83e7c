using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Core.Tests.Privacy;

/// <summary>
/// Each method with the anonymizer's semantics, in Microsoft-compatible mode (the policy's own keys). Expected values
/// are computed here from the anonymizer's documented algorithms, not by the engine.
/// </summary>
public sealed class MethodSemanticsTests
{
    private const string Keys = """{"cryptoHashKey": "hash-key", "dateShiftKey": "shift-key", "encryptKey": "0123456789abcdef"}""";
    private const string PartialKeys = """{"cryptoHashKey": "hash-key", "dateShiftKey": "shift-key", "enablePartialDatesForRedact": true, "enablePartialAgesForRedact": true, "enablePartialZipCodesForRedact": true, "restrictedZipCodeTabulationAreas": ["036"]}""";

    internal static readonly TimeProvider Clock = new FixedClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private static JsonElement Run(string rules, string resource, string parameters = Keys)
    {
        var engine = AnonymizationEngine.Create(PrivacyTestData.Policy(rules, parameters), clock: Clock);
        return PrivacyTestData.RunToJson(engine, resource);
    }

    internal static string Hmac(string key, string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)));

    /// <summary>The anonymizer's date-shift amount: a base-131 rolling hash of prefix + key modulo 101, minus 50.</summary>
    internal static int MicrosoftShift(string prefix, string key)
    {
        var offset = 0;
        foreach (var b in Encoding.UTF8.GetBytes(prefix + key))
        {
            offset = ((offset * 131) + b) % 101;
        }

        return offset - 50;
    }

    [Fact]
    public void CryptoHash_ResourceId_IsHmacSha256HexOfTheId()
    {
        var output = Run("""{"path": "Resource.id", "method": "cryptoHash"}""", """{"resourceType": "Patient", "id": "pat-1", "gender": "female"}""");

        Assert.Equal(Hmac("hash-key", "pat-1"), output.GetProperty("id").GetString());
        Assert.Equal("female", output.GetProperty("gender").GetString());
    }

    [Theory]
    [InlineData("Patient/123", "Patient/{123}")]
    [InlineData("http://example.org/fhir/Patient/123/_history/2", "http://example.org/fhir/Patient/{123}/_history/2")]
    [InlineData("urn:uuid:2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11", "urn:uuid:{2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11}")]
    [InlineData("urn:oid:1.2.3.4", "urn:oid:{1.2.3.4}")]
    [InlineData("#contained-1", "#{contained-1}")]
    [InlineData("not a reference", "{not a reference}")]
    public void CryptoHash_ReferenceReference_HashesOnlyTheIdPart(string reference, string expectedShape)
    {
        var output = Run("""{"path": "nodesByType('Reference').reference", "method": "cryptoHash"}""",
            $$$"""{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": "{{{reference}}}"}}""");

        var open = expectedShape.IndexOf('{', StringComparison.Ordinal);
        var close = expectedShape.IndexOf('}', StringComparison.Ordinal);
        var expected = expectedShape[..open] + Hmac("hash-key", expectedShape[(open + 1)..close]) + expectedShape[(close + 1)..];
        Assert.Equal(expected, output.GetProperty("subject").GetProperty("reference").GetString());
    }

    [Fact]
    public void Encrypt_Value_IsAesCbcWithRandomIvThatDecryptsToTheOriginal()
    {
        const string resource = """{"resourceType": "Patient", "address": [{"city": "Plovdiv"}]}""";
        var first = Run("""{"path": "Patient.address.city", "method": "encrypt"}""", resource).GetProperty("address")[0].GetProperty("city").GetString()!;
        var second = Run("""{"path": "Patient.address.city", "method": "encrypt"}""", resource).GetProperty("address")[0].GetProperty("city").GetString()!;

        Assert.NotEqual(first, second);
        foreach (var cipherText in new[] { first, second })
        {
            var data = Convert.FromBase64String(cipherText);
            using var aes = Aes.Create();
            aes.Key = Encoding.UTF8.GetBytes("0123456789abcdef");
            Assert.Equal("Plovdiv", Encoding.UTF8.GetString(aes.DecryptCbc(data.AsSpan(16), data.AsSpan(0, 16))));
        }
    }

    [Fact]
    public void DateShift_ResourceScope_ShiftsByTheAnonymizersOffsetAndZeroesTheTime()
    {
        var output = Run("""{"path": "nodesByType('date') | nodesByType('dateTime')", "method": "dateShift"}""",
            """{"resourceType": "Patient", "id": "r1", "birthDate": "2000-01-15", "deceasedDateTime": "2015-06-01T10:20:30.125+02:00"}""");

        var days = MicrosoftShift("r1", "shift-key");
        Assert.Equal(new DateOnly(2000, 1, 15).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), output.GetProperty("birthDate").GetString());
        Assert.Equal(new DateOnly(2015, 6, 1).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00.000+02:00",
            output.GetProperty("deceasedDateTime").GetString());
    }

    [Fact]
    public void DateShift_AfterTheIdWasHashed_UsesTheHashedIdAsPrefixLikeTheAnonymizer()
    {
        var output = Run("""{"path": "Resource.id", "method": "cryptoHash"}, {"path": "nodesByType('date')", "method": "dateShift"}""",
            """{"resourceType": "Patient", "id": "r1", "birthDate": "2000-01-15"}""");

        var days = MicrosoftShift(Hmac("hash-key", "r1"), "shift-key");
        Assert.Equal(new DateOnly(2000, 1, 15).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), output.GetProperty("birthDate").GetString());
    }

    [Fact]
    public void DateShift_FileScopeAndFixedOffset_FollowTheParameters()
    {
        var policy = PrivacyTestData.Policy("""{"path": "nodesByType('date')", "method": "dateShift"}""",
            """{"dateShiftKey": "shift-key", "dateShiftScope": "file"}""");
        var engine = AnonymizationEngine.Create(policy, clock: Clock);
        var fileScoped = JsonDocument.Parse(engine.Anonymize(Encoding.UTF8.GetBytes("""{"resourceType": "Patient", "id": "r1", "birthDate": "2000-01-15"}"""),
            new AnonymizationInput(FileName: "/data/in/patients.json"))).RootElement;
        var fixedOffset = Run("""{"path": "nodesByType('date')", "method": "dateShift"}""", """{"resourceType": "Patient", "birthDate": "2000-01-15"}""",
            """{"dateShiftFixedOffsetInDays": 10}""");

        Assert.Equal(new DateOnly(2000, 1, 15).AddDays(MicrosoftShift("patients.json", "shift-key")).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            fileScoped.GetProperty("birthDate").GetString());
        Assert.Equal("2000-01-25", fixedOffset.GetProperty("birthDate").GetString());
    }

    [Theory]
    [InlineData("2001-05", true, "2001")]
    [InlineData("2001-05", false, null)]
    [InlineData("1930-03-04", true, null)]
    [InlineData("1937-06-02", true, "1937-06-02+")]
    public void DateShift_PartialOrOver89_IsRedactedInstead(string birthDate, bool partialDates, string? expected)
    {
        var parameters = $$"""{"dateShiftKey": "k", "enablePartialDatesForRedact": {{(partialDates ? "true" : "false")}}}""";
        var output = Run("""{"path": "nodesByType('date')", "method": "dateShift"}""", $$"""{"resourceType": "Patient", "id": "r", "birthDate": "{{birthDate}}"}""", parameters);

        if (expected is null)
        {
            Assert.False(output.TryGetProperty("birthDate", out _));
        }
        else if (expected.EndsWith('+'))
        {
            // 88 years and 364 days before the fixed clock: not over 89, so it is shifted, not removed.
            Assert.NotEqual(birthDate, output.GetProperty("birthDate").GetString());
            Assert.Equal(10, output.GetProperty("birthDate").GetString()!.Length);
        }
        else
        {
            Assert.Equal(expected, output.GetProperty("birthDate").GetString());
        }
    }

    [Theory]
    [InlineData("02108", "02100")]
    [InlineData("03601", "00000")]
    [InlineData("12", "12")]
    public void Redact_PostalCodeWithPartialZipCodes_KeepsThreeDigitsOrZeroesRestrictedAreas(string postalCode, string expected)
    {
        var output = Run("""{"path": "nodesByType('Address')", "method": "redact"}""",
            $$$"""{"resourceType": "Patient", "address": [{"line": ["1 Main St"], "city": "Boston", "postalCode": "{{{postalCode}}}"}]}""", PartialKeys);

        var address = output.GetProperty("address")[0];
        Assert.Equal(expected, address.GetProperty("postalCode").GetString());
        Assert.False(address.TryGetProperty("line", out _));
        Assert.False(address.TryGetProperty("city", out _));
        Assert.Contains(output.GetProperty("meta").GetProperty("security").EnumerateArray(), c => c.GetProperty("code").GetString() == "ABSTRED");
    }

    [Fact]
    public void Redact_WithoutPartialFlags_RemovesPostalCodeDateAndAge()
    {
        var output = Run("""{"path": "Patient.address | Patient.birthDate", "method": "redact"}""",
            """{"resourceType": "Patient", "birthDate": "1986-11-27", "address": [{"postalCode": "02108"}]}""");

        Assert.False(output.TryGetProperty("birthDate", out _));
        Assert.False(output.TryGetProperty("address", out _));
        Assert.Equal("REDACTED", output.GetProperty("meta").GetProperty("security")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("1986-11-27", "1986")]
    [InlineData("1930-01-01", null)]
    public void Redact_BirthDateWithPartialDates_KeepsTheYearUnlessOver89(string birthDate, string? expected)
    {
        var output = Run("""{"path": "Patient.birthDate", "method": "redact"}""", $$"""{"resourceType": "Patient", "birthDate": "{{birthDate}}"}""", PartialKeys);

        Assert.Equal(expected, output.TryGetProperty("birthDate", out var value) ? value.GetString() : null);
    }

    [Theory]
    [InlineData("45", "45")]
    [InlineData("95", null)]
    public void Redact_AgeWithPartialAges_RemovesOnlyAgesOver89(string age, string? expected)
    {
        var output = Run("""{"path": "nodesByType('Age')", "method": "redact"}""",
            $$$"""{"resourceType": "Condition", "subject": {"reference": "Patient/1"}, "onsetAge": {"value": {{{age}}}, "unit": "a"}}""", PartialKeys);

        // As in the anonymizer, redact on an Age takes its unit too; only an age up to 89 survives.
        var kept = output.TryGetProperty("onsetAge", out var onset) && onset.TryGetProperty("value", out var value) ? value.GetRawText() : null;
        Assert.Equal(expected, kept);
    }

    [Fact]
    public void Keep_EarlierRule_WinsOverALaterRedactAndUnmatchedElementsStay()
    {
        var output = Run("""{"path": "Patient.name.family", "method": "keep"}, {"path": "nodesByType('HumanName')", "method": "redact"}""",
            """{"resourceType": "Patient", "gender": "male", "name": [{"family": "Petrov", "given": ["Ivan"]}]}""");

        var name = output.GetProperty("name")[0];
        Assert.Equal("Petrov", name.GetProperty("family").GetString());
        Assert.False(name.TryGetProperty("given", out _));
        Assert.Equal("male", output.GetProperty("gender").GetString());
    }

    [Fact]
    public void Substitute_PrimitiveAndComplex_ReplaceValuesButKeepWhatEarlierRulesProcessed()
    {
        var output = Run(
            """
            {"path": "Patient.address.postalCode", "method": "cryptoHash"},
            {"path": "Patient.address", "method": "substitute", "replaceWith": {"city": "example city", "state": "example state"}},
            {"path": "Patient.name.family", "method": "substitute", "replaceWith": "Doe"}
            """,
            """{"resourceType": "Patient", "name": [{"family": "Petrov", "given": ["Ivan"]}], "address": [{"line": ["1 Main"], "city": "Sofia", "postalCode": "1000"}]}""");

        var address = output.GetProperty("address")[0];
        Assert.Equal("example city", address.GetProperty("city").GetString());
        Assert.Equal("example state", address.GetProperty("state").GetString());
        Assert.Equal(Hmac("hash-key", "1000"), address.GetProperty("postalCode").GetString());
        Assert.False(address.TryGetProperty("line", out _));
        Assert.Equal("Doe", output.GetProperty("name")[0].GetProperty("family").GetString());
        Assert.Equal("Ivan", output.GetProperty("name")[0].GetProperty("given")[0].GetString());
    }

    [Fact]
    public void Perturb_FixedAndProportional_StayWithinTheSpanAndRounding()
    {
        for (var i = 0; i < 25; i++)
        {
            var output = Run(
                """
                {"path": "RiskAssessment.prediction.probability", "method": "perturb", "span": 0.2, "rangeType": "proportional", "roundTo": 1},
                {"path": "Observation.value", "method": "perturb", "span": 6, "rangeType": "fixed"},
                {"path": "nodesByType('positiveInt')", "method": "perturb", "span": 100}
                """,
                """{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueInteger": 40, "component": [{"code": {"text": "y"}, "valueQuantity": {"value": 1}}]}""");
            var value = output.GetProperty("valueInteger").GetDecimal();
            Assert.InRange(value, 37, 43);
            Assert.Equal(decimal.Truncate(value), value);
        }

        var proportional = Run("""{"path": "Observation.value", "method": "perturb", "span": 0.2, "rangeType": "proportional", "roundTo": 1}""",
            """{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 50.0, "unit": "kg"}}""");
        var perturbed = proportional.GetProperty("valueQuantity").GetProperty("value").GetDecimal();
        Assert.InRange(perturbed, 45m, 55m);
        Assert.Equal(decimal.Round(perturbed, 1), perturbed);
        Assert.Equal("kg", proportional.GetProperty("valueQuantity").GetProperty("unit").GetString());
        Assert.Contains(proportional.GetProperty("meta").GetProperty("security").EnumerateArray(), c => c.GetProperty("code").GetString() == "PERTURBED");
    }

    [Theory]
    [InlineData("18", "20")]
    [InlineData("25", "40")]
    [InlineData("95", null)]
    public void Generalize_NumericCases_MapRangesAndRedactOtherValues(string value, string? expected)
    {
        var output = Run(
            """{"path": "Observation.value.ofType(Quantity).value", "method": "generalize", "cases": {"$this >= 0 and $this < 20": "20", "$this >= 20 and $this < 40": "40"}, "otherValues": "redact"}""",
            $$$"""{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": {{{value}}}, "unit": "kg"}}""");

        var quantity = output.GetProperty("valueQuantity");
        Assert.Equal(expected, quantity.TryGetProperty("value", out var result) ? result.GetRawText() : null);
    }

    [Fact]
    public void Generalize_StringAndDateCases_UseFhirPathResults()
    {
        var output = Run(
            """
            {"path": "Patient.communication.language.coding.code", "method": "generalize", "cases": {"$this in ('es-AR' | 'es-ES')": "'es'"}, "otherValues": "keep"},
            {"path": "Patient.birthDate", "method": "generalize", "cases": {"$this >= @1990-01-01 and $this <= @2000-01-01": "@1990"}}
            """,
            """{"resourceType": "Patient", "birthDate": "1995-07-04", "communication": [{"language": {"coding": [{"code": "es-AR"}, {"code": "bg"}]}}]}""");

        var codes = output.GetProperty("communication")[0].GetProperty("language").GetProperty("coding");
        Assert.Equal("es", codes[0].GetProperty("code").GetString());
        Assert.Equal("bg", codes[1].GetProperty("code").GetString());
        Assert.Equal("1990", output.GetProperty("birthDate").GetString());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
