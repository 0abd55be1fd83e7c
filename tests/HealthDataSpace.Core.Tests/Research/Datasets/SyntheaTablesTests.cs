using System.Globalization;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Research.Datasets.Tables;

namespace HealthDataSpace.Core.Tests.Research.Datasets;

/// <summary>
/// The Synthea corpus through pseudonymisation into the Parquet tables, read back with DuckDB: every expectation is
/// counted from the input bundles (or recomputed from the project's pseudonym domain), never from the writer.
/// </summary>
public sealed class SyntheaTablesTests(SyntheaTablesFixture fixture) : IClassFixture<SyntheaTablesFixture>
{
    private static readonly string[] Clinical = ["Condition", "Observation", "MedicationRequest", "MedicationStatement"];

    private TableFiles Files => fixture.Files;

    [Fact]
    public void CompleteAsync_SyntheaCorpus_RowCountsMatchTheInput()
    {
        var expected = new Dictionary<string, long>
        {
            ["patients"] = fixture.OfType("Patient").Count(),
            ["conditions"] = fixture.OfType("Condition").Count(),
            ["observations"] = fixture.OfType("Observation").Sum(o => ExpectedObservationRows(o.Original)),
            ["medications"] = fixture.OfType("MedicationRequest", "MedicationStatement").Count(),
            ["telemetry_daily"] = 0,
        };

        Assert.True(expected["patients"] >= 30 && expected["observations"] > 5000, "the corpus is the Synthea data");
        Assert.Equal(expected, fixture.Tables.ToDictionary(t => t.Name, t => t.Rows));
        foreach (var (table, rows) in expected)
        {
            Assert.Equal(rows, Files.Count($"SELECT count(*) FROM {Files.Read(table)}"));
        }

        Assert.Equal(fixture.Resources.Count - fixture.OfType(["Patient", .. Clinical]).Count(), fixture.Ignored);
        // Each table opened exactly once (a second open throws in TableFiles), the empty telemetry table last, at completion.
        Assert.Equal(DatasetTableSet.TableNames.Order(StringComparer.Ordinal), Files.OpenOrder.Order(StringComparer.Ordinal));
        Assert.Equal("telemetry_daily", Files.OpenOrder[^1]);
        Assert.All(Files.Opened.Values, s => Assert.True(s.Written > 0));
    }

    [Fact]
    public void CompleteAsync_RowGroupsOf100_SeveralRowGroupsAndTheFileReadsWhole()
    {
        foreach (var table in fixture.Tables.Where(t => t.Rows > 0))
        {
            var groups = Files.Rows($"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{Files.PathOf(table.Name)}') ORDER BY 1");
            var expectedGroups = (table.Rows + SyntheaTablesFixture.RowGroupSize - 1) / SyntheaTablesFixture.RowGroupSize;
            Assert.Equal(expectedGroups, groups.Count);
            Assert.All(groups.SkipLast(1), g => Assert.Equal(SyntheaTablesFixture.RowGroupSize, Convert.ToInt64(g[1], CultureInfo.InvariantCulture)));
            Assert.Equal(table.Rows, groups.Sum(g => Convert.ToInt64(g[1], CultureInfo.InvariantCulture)));
            Assert.Equal(table.Rows, Files.Count($"SELECT count(DISTINCT {IdColumn(table.Name)} || coalesce(CAST(component_index_or_null AS VARCHAR), '')) FROM (SELECT *, {ComponentIndex(table.Name)} AS component_index_or_null FROM {Files.Read(table.Name)})"));
        }

        Assert.True(fixture.Tables.Single(t => t.Name == "observations").Rows > 10 * SyntheaTablesFixture.RowGroupSize);
    }

    [Fact]
    public void Conditions_MostCommonCodePerPatient_MatchesTheInput()
    {
        var conditions = fixture.OfType("Condition").Select(c => (Patient: c.PatientId!, Coding: FirstCoding(c.Original["code"]))).ToList();
        var code = conditions.GroupBy(c => c.Coding.Code).OrderByDescending(g => g.Count()).First().Key!;
        var expected = conditions.Where(c => c.Coding.Code == code)
            .GroupBy(c => fixture.Domain.PseudonymizeId("Patient", c.Patient))
            .ToDictionary(g => g.Key, g => (long)g.Count());

        var actual = Files.Rows($"SELECT patient_id, count(*) FROM {Files.Read("conditions")} WHERE code = '{code}' GROUP BY patient_id")
            .ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));

        Assert.True(expected.Count >= 3, $"code {code} is common");
        Assert.Equal(expected, actual);
        var patients = Files.Rows($"SELECT patient_id FROM {Files.Read("patients")}").Select(r => (string)r[0]!).ToHashSet();
        Assert.Subset(patients, actual.Keys.ToHashSet());
    }

    [Fact]
    public void Conditions_Dates_AreTheInputDatesShiftedByThePatientsShiftOrNull()
    {
        var actual = Files.Rows($"SELECT condition_id, epoch_us(onset), epoch_us(abatement), epoch_us(recorded_date) FROM {Files.Read("conditions")}")
            .ToDictionary(r => (string)r[0]!, r => r[1..]);
        var compared = 0;
        foreach (var condition in fixture.OfType("Condition"))
        {
            var row = actual[fixture.Domain.PseudonymizeId("Condition", condition.Id)];
            string?[] inputs = [Text(condition.Original["onsetDateTime"]), Text(condition.Original["abatementDateTime"]), Text(condition.Original["recordedDate"])];
            for (var i = 0; i < inputs.Length; i++)
            {
                if (ExpectedShifted(inputs[i], condition.PatientId!) is var (known, micros) && known)
                {
                    Assert.Equal(micros, row[i] is null ? null : Convert.ToInt64(row[i], CultureInfo.InvariantCulture));
                    compared++;
                }
            }
        }

        Assert.True(compared > fixture.OfType("Condition").Count(), "onset and recorded date compared for most conditions");
        Assert.Contains(actual.Values, r => r[1] is null);
        Assert.Contains(actual.Values, r => r[1] is not null);
    }

    /// <summary>
    /// Readers skip row groups by their min/max statistics: wrong statistics (as Parquet.Net 6.1 writes for INT64
    /// timestamps) make filtered queries lose rows silently. Counts under a filter must match the input's.
    /// </summary>
    [Theory]
    [InlineData("1980-01-01")]
    [InlineData("2000-01-01")]
    [InlineData("2012-06-30")]
    [InlineData("2018-01-01")]
    public void Observations_FilteredByEffective_CountsMatchTheInput(string since)
    {
        var threshold = DateTimeOffset.Parse(since + "T00:00:00Z", CultureInfo.InvariantCulture);
        var thresholdMicros = (threshold.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        var expected = fixture.OfType("Observation")
            .Select(o => (Rows: ExpectedObservationRows(o.Original),
                Shifted: ExpectedShifted(Text(o.Original["effectiveDateTime"]) ?? Text(o.Original["effectivePeriod"]?["start"]), o.PatientId!)))
            .Where(o => o.Shifted.Known && o.Shifted.Micros >= thresholdMicros)
            .Sum(o => o.Rows);

        var filtered = Files.Count($"SELECT count(*) FROM {Files.Read("observations")} WHERE effective >= TIMESTAMP '{since}'");
        var conditions = Files.Count($"SELECT count(*) FROM {Files.Read("conditions")} WHERE onset >= TIMESTAMP '{since}'");

        Assert.True(expected > 0);
        Assert.Equal(expected, filtered);
        Assert.Equal(fixture.OfType("Condition").Count(c => ExpectedShifted(Text(c.Original["onsetDateTime"]), c.PatientId!) is (true, { } micros) && micros >= thresholdMicros), conditions);
    }

    [Fact]
    public void Observations_Effective_IsTheInputShiftedByThePatientsShift()
    {
        var actual = Files.Rows($"SELECT DISTINCT observation_id, epoch_us(effective) FROM {Files.Read("observations")}")
            .ToDictionary(r => (string)r[0]!, r => r[1] is null ? (long?)null : Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        var compared = 0;
        foreach (var observation in fixture.OfType("Observation"))
        {
            var input = Text(observation.Original["effectiveDateTime"]) ?? Text(observation.Original["effectivePeriod"]?["start"]);
            if (ExpectedShifted(input, observation.PatientId!) is var (known, micros) && known)
            {
                Assert.Equal(micros, actual[fixture.Domain.PseudonymizeId("Observation", observation.Id)]);
                compared++;
            }
        }

        Assert.Equal(fixture.OfType("Observation").Count(), actual.Count);
        Assert.True(compared > actual.Count / 2);
    }

    [Fact]
    public void Observations_BloodPressureComponents_OneRowEachWithTheParentCodeAndValue()
    {
        var expected = fixture.OfType("Observation")
            .SelectMany(o => Components(o.Original).Where(c => c.Code == "8480-6").Select(c => (o.PatientId, c.Value)))
            .GroupBy(c => fixture.Domain.PseudonymizeId("Patient", c.PatientId!))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Sum: g.Sum(c => c.Value!.Value)));

        var actual = Files.Rows(
                $"SELECT patient_id, count(*), sum(value_number), min(component_index), max(component_index), count(DISTINCT value_unit) FROM {Files.Read("observations")} " +
                "WHERE code = '8480-6' AND parent_code = '55284-4' AND parent_code_system = 'http://loinc.org' GROUP BY patient_id")
            .ToDictionary(r => (string)r[0]!, r => r);

        Assert.True(expected.Count >= 10);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (patient, (count, sum)) in expected)
        {
            var row = actual[patient];
            Assert.Equal(count, Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(sum, Convert.ToDouble(row[2], CultureInfo.InvariantCulture), 1e-6);
            Assert.True(Convert.ToInt32(row[3], CultureInfo.InvariantCulture) >= 0);
            Assert.Equal(1L, Convert.ToInt64(row[5], CultureInfo.InvariantCulture));
        }

        // Blood pressure Observations have no value of their own: no row without a component index for them.
        Assert.Equal(0, Files.Count($"SELECT count(*) FROM {Files.Read("observations")} WHERE code = '55284-4'"));
    }

    [Fact]
    public void Observations_ValueColumns_SetExactlyWhereTheInputHasSuchAValue()
    {
        var holders = fixture.OfType("Observation").SelectMany(o => Components(o.Original).Select(c => c.Holder).Append(o.Original)
            .Where(h => h != o.Original || ExpectedObservationRows(o.Original) != (o.Original["component"] as JsonArray)?.Count)).ToList();
        var expectedNumbers = holders.Count(h => h["valueQuantity"]?["value"] is not null || h["valueInteger"] is not null);
        var expectedCodes = holders.Count(h => h["valueCodeableConcept"]?["coding"]?[0]?["code"] is not null);
        var expectedUntyped = holders.Count(h => !h.Any(p => p.Key.StartsWith("value", StringComparison.Ordinal)));
        var observations = Files.Read("observations");

        Assert.Equal(holders.Count, Files.Count($"SELECT count(*) FROM {observations}"));
        Assert.Equal(expectedNumbers, Files.Count($"SELECT count(value_number) FROM {observations}"));
        Assert.Equal(expectedCodes, Files.Count($"SELECT count(value_code) FROM {observations}"));
        Assert.Equal(expectedNumbers, Files.Count($"SELECT count(*) FROM {observations} WHERE value_type = 'Quantity'"));
        Assert.Equal(expectedCodes, Files.Count($"SELECT count(*) FROM {observations} WHERE value_type = 'CodeableConcept'"));
        Assert.Equal(expectedUntyped, Files.Count($"SELECT count(*) FROM {observations} WHERE value_type IS NULL"));
        Assert.Equal(0, Files.Count($"SELECT count(*) FROM {observations} WHERE value_code IS NOT NULL AND value_number IS NOT NULL"));
        Assert.Equal(0, Files.Count($"SELECT count(sampled_count) + count(value_boolean) + count(value_date_time) FROM {observations}"));
    }

    [Fact]
    public void Medications_CodesStatusesAndIntents_MatchTheInput()
    {
        var expected = fixture.OfType("MedicationRequest", "MedicationStatement")
            .GroupBy(m => $"{m.Type}|{Text(m.Original["status"])}|{Text(m.Original["intent"])}|{FirstCoding(m.Original["medicationCodeableConcept"]).Code}")
            .ToDictionary(g => g.Key, g => (long)g.Count());

        var actual = Files.Rows($"SELECT resource_type || '|' || coalesce(status, '') || '|' || coalesce(intent, '') || '|' || coalesce(code, ''), count(*) FROM {Files.Read("medications")} GROUP BY 1")
            .ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));

        Assert.Equal(expected, actual);

        // Synthea writes MedicationRequests only: authored_on is the shifted authoredOn (null when over 89 years ago), effective is null.
        var dates = Files.Rows($"SELECT medication_id, epoch_us(authored_on), effective FROM {Files.Read("medications")}").ToDictionary(r => (string)r[0]!, r => r[1..]);
        foreach (var medication in fixture.OfType("MedicationRequest"))
        {
            var row = dates[fixture.Domain.PseudonymizeId("MedicationRequest", medication.Id)];
            var (known, micros) = ExpectedShifted(Text(medication.Original["authoredOn"]), medication.PatientId!);
            Assert.True(known);
            Assert.Equal(micros, row[0] is null ? null : Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
            Assert.Null(row[1]);
        }
    }

    [Fact]
    public void Patients_Columns_MatchThePseudonymisedPatients()
    {
        var actual = Files.Rows($"SELECT patient_id, gender, birth_date, birth_year, deceased, postal_region, state, country, race_code, ethnicity_code, birth_sex FROM {Files.Read("patients")}")
            .ToDictionary(r => (string)r[0]!, r => r[1..]);
        foreach (var patient in fixture.OfType("Patient"))
        {
            var output = JsonNode.Parse(patient.Pseudonymised)!.AsObject();
            var birthDate = Text(output["birthDate"]);
            var extensions = (output["extension"] as JsonArray ?? []).Select(e => e!.AsObject()).ToList();
            string? OmbCode(string url) => Text(extensions.FirstOrDefault(e => Text(e["url"])!.EndsWith(url, StringComparison.Ordinal))?["extension"]?[0]?["valueCoding"]?["code"]);
            object?[] expected =
            [
                Text(output["gender"]), birthDate, birthDate is null ? null : int.Parse(birthDate[..4], CultureInfo.InvariantCulture),
                output["deceasedDateTime"] is not null ? true : output["deceasedBoolean"]?.GetValue<bool>(),
                Text(output["address"]?[0]?["postalCode"]), Text(output["address"]?[0]?["state"]), Text(output["address"]?[0]?["country"]),
                OmbCode("us-core-race"), OmbCode("us-core-ethnicity"),
                Text(extensions.FirstOrDefault(e => Text(e["url"])!.EndsWith("us-core-birthsex", StringComparison.Ordinal))?["valueCode"]),
            ];

            Assert.Equal(expected, actual[fixture.Domain.PseudonymizeId("Patient", patient.Id)]);
        }

        Assert.Equal(fixture.OfType("Patient").Count(), actual.Count);
        Assert.Contains(actual.Values, r => r[3] is true);
        Assert.Contains(actual.Values, r => r[3] is null);
        // Birth dates are cut to the year, or removed for the patients born over 89 years ago.
        Assert.All(actual.Values, r => Assert.True(r[1] is null || ((string)r[1]!).Length == 4));
        Assert.Contains(actual.Values, r => r[1] is null);
    }

    [Fact]
    public void AllTables_StringValues_NoNameIdentifierAddressOrOriginalIdAndNoEmptyString()
    {
        var forbidden = fixture.Sensitive.All.Select(s => s.Value).Concat(fixture.Resources.Select(r => r.Id)).ToHashSet(StringComparer.Ordinal);
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in DatasetTableSet.TableNames)
        {
            foreach (var (column, _) in Files.Columns(table).Where(c => c.Type == "VARCHAR"))
            {
                values.UnionWith(Files.Rows($"SELECT DISTINCT {column} FROM {Files.Read(table)} WHERE {column} IS NOT NULL").Select(r => (string)r[0]!));
            }
        }

        Assert.True(fixture.Sensitive.Names.Count > 50 && fixture.Sensitive.Identifiers.Count > 50);
        Assert.Contains("8480-6", values);
        Assert.Contains(fixture.Domain.PseudonymizeId("Patient", fixture.OfType("Patient").First().Id), values);
        Assert.DoesNotContain(string.Empty, values);
        var leaks = values.Where(forbidden.Contains).Take(5).ToList();
        Assert.True(leaks.Count == 0, $"input values in the tables: {string.Join(", ", leaks)}");
    }

    /// <summary>The components rule: one row per component, plus one for the Observation's own value; one row when it has no components.</summary>
    private static int ExpectedObservationRows(JsonObject observation)
    {
        var components = (observation["component"] as JsonArray)?.Count ?? 0;
        var ownValue = observation.Any(p => p.Key.StartsWith("value", StringComparison.Ordinal));
        return components == 0 ? 1 : components + (ownValue ? 1 : 0);
    }

    private static IEnumerable<(JsonObject Holder, string? Code, double? Value)> Components(JsonObject observation) =>
        (observation["component"] as JsonArray ?? []).Select(c => c!.AsObject())
            .Select(c => (c, FirstCoding(c["code"]).Code, c["valueQuantity"]?["value"]?.GetValue<double>()));

    private static (string? System, string? Code) FirstCoding(JsonNode? concept) =>
        (Text(concept?["coding"]?[0]?["system"]), Text(concept?["coding"]?[0]?["code"]));

    private static string? Text(JsonNode? node) => node?.GetValue<string>();

    /// <summary>
    /// The input instant moved by the patient's time shift, in microseconds since 1970 (what the table holds), or
    /// null when the policy removes it (over 89 years ago). Unknown (false) for a missing input and for dates within
    /// the shift's reach of the 89-year line, where either outcome is right.
    /// </summary>
    private (bool Known, long? Micros) ExpectedShifted(string? input, string patientId)
    {
        if (input is null)
        {
            return (false, null);
        }

        var instant = DateTimeOffset.Parse(input, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var line = DateTimeOffset.UtcNow.AddYears(-89);
        if (Math.Abs((instant - line).TotalDays) < 60)
        {
            return (false, null);
        }

        if (instant < line)
        {
            return (true, null);
        }

        var shifted = instant + fixture.Domain.TimeShiftFor($"Patient/{patientId}");
        return (true, (shifted.UtcTicks - DateTime.UnixEpoch.Ticks) / 10);
    }

    private static string IdColumn(string table) => table switch
    {
        "patients" => "patient_id",
        "conditions" => "condition_id",
        "observations" => "observation_id",
        "medications" => "medication_id",
        _ => "patient_id || type || code || CAST(day AS VARCHAR)",
    };

    private static string ComponentIndex(string table) => table == "observations" ? "component_index" : "NULL";
}
