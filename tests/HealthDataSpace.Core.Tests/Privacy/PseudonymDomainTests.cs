using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Core.Tests.Privacy;

/// <summary>Per-project keys, pseudonyms and date shifts, checked against an independent HKDF/HMAC computation.</summary>
public sealed class PseudonymDomainTests
{
    private static byte[] ProjectKey(string purpose, string project) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, PrivacyTestData.MasterKey, 32,
            Encoding.UTF8.GetBytes("HealthDataSpace pseudonym domain v1"), Encoding.UTF8.GetBytes($"{purpose}\0{project}"));

    private static string ExpectedHash(string project, string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(ProjectKey("cryptoHash", project), Encoding.UTF8.GetBytes(value)));

    [Fact]
    public void PseudonymizeId_IsHmacUnderTheProjectsDerivedKey_AndAValidFhirId()
    {
        var domain = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a");

        var pseudonym = domain.PseudonymizeId("Patient", "123");

        Assert.Equal(ExpectedHash("study-a", "123"), pseudonym);
        Assert.Matches("^[A-Za-z0-9\\-\\.]{1,64}$", pseudonym);
        Assert.Equal(pseudonym, PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a").PseudonymizeId("Patient", "123"));
        Assert.NotEqual(pseudonym, PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-b").PseudonymizeId("Patient", "123"));
    }

    [Fact]
    public void Anonymize_ResourceIdAndReferences_MatchPseudonymizeIdSoAStewardCanRecomputeThem()
    {
        var engine = PrivacyTestData.ProjectEngine("study-a");
        var domain = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a");

        var patient = PrivacyTestData.RunToJson(engine, """{"resourceType": "Patient", "id": "123"}""");
        var observation = PrivacyTestData.RunToJson(engine, """{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": "Patient/123"}}""");

        Assert.Equal(domain.PseudonymizeId("Patient", "123"), patient.GetProperty("id").GetString());
        Assert.Equal("Patient/" + domain.PseudonymizeId("Patient", "123"), observation.GetProperty("subject").GetProperty("reference").GetString());
    }

    [Fact]
    public void ShiftFor_IsStablePerPatientNonZeroWithin50Days_AndDiffersBetweenProjects()
    {
        var a = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a");
        var b = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-b");
        var patients = Enumerable.Range(0, 40).Select(i => $"Patient/p{i}").ToList();

        foreach (var patient in patients)
        {
            var mac = HMACSHA256.HashData(ProjectKey("dateShift", "study-a"), Encoding.UTF8.GetBytes(patient));
            var draw = (int)(BinaryPrimitives.ReadUInt32BigEndian(mac) % 100);
            Assert.Equal(draw < 50 ? draw - 50 : draw - 49, a.ShiftFor(patient));
            Assert.NotEqual(0, a.ShiftFor(patient));
            var partOfDay = a.TimeShiftFor(patient) - TimeSpan.FromDays(a.ShiftFor(patient));
            Assert.InRange(partOfDay.TotalSeconds, 1, 86399);
            Assert.NotEqual(0, partOfDay.TotalSeconds % 60);
        }

        Assert.Contains(patients, p => a.ShiftFor(p) != b.ShiftFor(p));
    }

    [Fact]
    public void Anonymize_ObservationOfAPatient_UsesThatPatientsShiftLikeTheTelemetryWould()
    {
        var engine = PrivacyTestData.ProjectEngine("study-a");
        var domain = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a");

        var output = PrivacyTestData.RunToJson(engine,
            """{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": "Patient/123"}, "effectiveDateTime": "2020-03-01T08:00:00+02:00", "issued": "2020-03-01T06:30:00.250Z"}""");

        var shift = domain.TimeShiftFor("Patient/123");
        Assert.Equal(new DateTimeOffset(2020, 3, 1, 8, 0, 0, TimeSpan.FromHours(2)) + shift, DateTimeOffset.Parse(output.GetProperty("effectiveDateTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("+02:00", output.GetProperty("effectiveDateTime").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(".250Z", output.GetProperty("issued").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymize_UrnUuidAndConditionalReferences_StayResolvableInProjectMode()
    {
        var domain = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a");
        const string bundle = """
            {"resourceType": "Bundle", "type": "transaction", "entry": [
              {"fullUrl": "urn:uuid:2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11", "resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Patient"}},
              {"resource": {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
                            "subject": {"reference": "urn:uuid:2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11"},
                            "participant": [{"individual": {"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999991959"}}]},
               "request": {"method": "POST", "url": "Encounter", "ifNoneExist": "identifier=http://example.org|E1"}}]}
            """;

        var output = PrivacyTestData.RunToJson(PrivacyTestData.ProjectEngine("study-a"), bundle);

        var entries = output.GetProperty("entry");
        var fullUrl = entries[0].GetProperty("fullUrl").GetString()!;
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", fullUrl);
        Assert.Equal("urn:uuid:" + domain.HashAsUuid("2b4e2f37-1f1c-4a4c-9d3c-7d9f2b1a0c11"), fullUrl);
        var encounter = entries[1].GetProperty("resource");
        Assert.Equal(fullUrl, encounter.GetProperty("subject").GetProperty("reference").GetString());
        Assert.Equal("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|" + ExpectedHash("study-a", "9999991959"),
            encounter.GetProperty("participant")[0].GetProperty("individual").GetProperty("reference").GetString());
        Assert.Equal("Patient", entries[0].GetProperty("request").GetProperty("url").GetString());
        Assert.Equal("identifier=http://example.org|" + ExpectedHash("study-a", "E1"), entries[1].GetProperty("request").GetProperty("ifNoneExist").GetString());
    }

    [Theory]
    [InlineData(16)]
    [InlineData(0)]
    public void ForProject_ShortMasterKey_IsRefused(int length)
    {
        Assert.Throws<ArgumentException>(() => PseudonymDomain.ForProject(new byte[length], "study-a"));
    }

    [Fact]
    public void DecodeMasterKey_NotBase64_FailsWithoutEchoingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => PseudonymDomain.DecodeMasterKey("not*base64*SECRET"));

        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenerateMasterKey_DecodesTo32RandomBytes()
    {
        var first = PseudonymDomain.GenerateMasterKey();

        Assert.Equal(32, PseudonymDomain.DecodeMasterKey(first).Length);
        Assert.NotEqual(first, PseudonymDomain.GenerateMasterKey());
    }

    [Fact]
    public void Encrypt_InProjectMode_UsesTheDerivedAes256Key()
    {
        var domain = PseudonymDomain.ForProject(PrivacyTestData.MasterKey, "study-a");
        var data = Convert.FromBase64String(domain.Encrypt("Plovdiv"));

        using var aes = Aes.Create();
        aes.Key = ProjectKey("encrypt", "study-a");
        Assert.Equal("Plovdiv", Encoding.UTF8.GetString(aes.DecryptCbc(data.AsSpan(16), data.AsSpan(0, 16))));
    }

    [Fact]
    public void Anonymize_WithJsonTextOutput_KeepsOtherElementsByteForByteSemantics()
    {
        var output = PrivacyTestData.RunToJson(AnonymizationEngine.Create(PrivacyTestData.Policy("")),
            """{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 12.50, "unit": "mg"}}""");

        Assert.Equal("12.50", output.GetProperty("valueQuantity").GetProperty("value").GetRawText());
        Assert.Equal(JsonValueKind.Undefined, output.TryGetProperty("meta", out var meta) ? meta.ValueKind : JsonValueKind.Undefined);
    }
}
