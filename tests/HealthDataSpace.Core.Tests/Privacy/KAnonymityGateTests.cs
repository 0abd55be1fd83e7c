using System.Text;
using HealthDataSpace.Core.Privacy;

namespace HealthDataSpace.Core.Tests.Privacy;

public sealed class KAnonymityGateTests
{
    private static IEnumerable<QuasiIdentifierRecord> Many(string prefix, int count, int year, string gender, string postal) =>
        Enumerable.Range(0, count).Select(i => new QuasiIdentifierRecord($"{prefix}{i}", year, gender, postal));

    [Fact]
    public void Evaluate_AllClassesAtLeastK_SuppressesNothingAndReportsTheSmallestClass()
    {
        var records = Many("a", 5, 1980, "female", "02108").Concat(Many("b", 7, 1991, "male", "02139"));

        var report = new KAnonymityGate(new KAnonymityOptions { K = 5 }).Evaluate(records);

        Assert.Equal(5, report.SmallestClassBefore);
        Assert.Equal(5, report.AchievedK);
        Assert.Equal(0, report.SuppressedCount);
        Assert.Equal(5, report.BirthYearBandWidth);
        Assert.Equal(["birthYearBand", "gender", "postalRegion"], report.QuasiIdentifiersUsed);
    }

    [Fact]
    public void Evaluate_SmallClassThatWideningCannotMerge_IsSuppressed()
    {
        // 40 records in one class and 1 outlier: 1/41 is under the 5 % suppression budget, so no widening happens.
        var records = Many("a", 40, 1980, "female", "02108").Append(new QuasiIdentifierRecord("lonely", 1950, "male", "99999"));

        var report = new KAnonymityGate(new KAnonymityOptions { K = 5 }).Evaluate(records);

        Assert.Equal(1, report.SmallestClassBefore);
        Assert.Equal(1, report.SuppressedCount);
        Assert.Equal(["lonely"], report.SuppressedRecordIds);
        Assert.Equal(40, report.AchievedK);
    }

    [Fact]
    public void Evaluate_ClassesSplitOnlyByBirthYear_AreMergedByWideningTheBandBeforeSuppressing()
    {
        // Birth years 1981, 1984, 1986, 1988 in 5-year bands make two classes of 6 (1980-84, 1985-89); with k = 10
        // only the 10-year band 1980-89 holds all 12 together.
        var records = Many("a", 3, 1981, "female", "02108").Concat(Many("b", 3, 1984, "female", "02108"))
            .Concat(Many("c", 3, 1986, "female", "02108")).Concat(Many("d", 3, 1988, "female", "02108"));

        var report = new KAnonymityGate(new KAnonymityOptions { K = 10 }).Evaluate(records);

        Assert.Equal(6, report.SmallestClassBefore);
        Assert.Equal(10, report.BirthYearBandWidth);
        Assert.Equal(0, report.SuppressedCount);
        Assert.Equal(12, report.AchievedK);
    }

    [Fact]
    public void Evaluate_PostalRegionsMergedAfterTheWidestBand()
    {
        var records = Many("a", 3, 1980, "male", "02108").Concat(Many("b", 3, 1980, "male", "02239"));

        var report = new KAnonymityGate(new KAnonymityOptions { K = 5 }).Evaluate(records);

        Assert.Equal(2, report.PostalRegionDigits);
        Assert.Equal(20, report.BirthYearBandWidth);
        Assert.Equal(6, report.AchievedK);
    }

    [Fact]
    public void Evaluate_ConfiguredQuasiIdentifiers_OnlyThoseFormClasses()
    {
        var records = Many("a", 3, 1950, "male", "11111").Concat(Many("b", 3, 1990, "male", "22222"));

        var report = new KAnonymityGate(new KAnonymityOptions { K = 6, QuasiIdentifiers = ["gender"] }).Evaluate(records);

        Assert.Equal(["gender"], report.QuasiIdentifiersUsed);
        Assert.Equal(0, report.SuppressedCount);
        Assert.Equal(6, report.AchievedK);
    }

    [Fact]
    public void Constructor_UnknownQuasiIdentifier_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new KAnonymityGate(new KAnonymityOptions { QuasiIdentifiers = ["shoeSize"] }));

        Assert.Contains("shoeSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPatientJson_ReadsTheQuasiIdentifiersOfAPseudonymisedPatient()
    {
        var record = QuasiIdentifierRecord.FromPatientJson(Encoding.UTF8.GetBytes(
            """{"resourceType": "Patient", "id": "abc", "gender": "female", "birthDate": "1986", "address": [{"state": "MA"}, {"postalCode": "02100"}]}"""));

        Assert.Equal(new QuasiIdentifierRecord("abc", 1986, "female", "02100"), record);
    }

    [Fact]
    public void PrivacyOptions_Validate_RequiresAValidMasterKeyOutsideDevelopmentWithoutQuotingIt()
    {
        Assert.Contains(new PrivacyOptions().Validate(masterKeyRequired: true), p => p.Contains("Privacy:MasterKey is not set", StringComparison.Ordinal));
        Assert.Empty(new PrivacyOptions().Validate(masterKeyRequired: false));
        var invalid = new PrivacyOptions { MasterKey = "c2hvcnQ=" }.Validate(masterKeyRequired: true).Single();
        Assert.Contains("at least 32 bytes", invalid, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ", invalid, StringComparison.Ordinal);
        Assert.Empty(new PrivacyOptions { MasterKey = PseudonymDomain.GenerateMasterKey() }.Validate(masterKeyRequired: true));
    }
}
