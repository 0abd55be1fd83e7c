using System.Globalization;
using System.Text;
using HealthDataSpace.Core.Research.Datasets.Tables;

namespace HealthDataSpace.Core.Tests.Research.Datasets;

/// <summary>The table writer on hand-written resources: every value shape, the component rule, bad input, empty tables, streams.</summary>
public sealed class DatasetTableSetTests : IDisposable
{
    private const string P1 = "p1";
    private readonly TableFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task CompleteAsync_NoRows_EveryTableIsWrittenEmptyWithItsFullSchema()
    {
        await using (var set = _files.CreateSet(100))
        {
            var tables = await set.CompleteAsync(CancellationToken.None);
            Assert.Equal(["patients", "conditions", "observations", "medications", "telemetry_daily"], tables.Select(t => t.Name));
            Assert.All(tables, t => Assert.Equal(0, t.Rows));
        }

        _files.CloseStreams();
        const string T = "TIMESTAMP";
        var expected = new Dictionary<string, string[]>
        {
            ["patients"] = ["patient_id VARCHAR", "gender VARCHAR", "birth_date VARCHAR", "birth_year INTEGER", "deceased BOOLEAN", $"deceased_date_time {T}",
                "postal_region VARCHAR", "state VARCHAR", "country VARCHAR", "race_code VARCHAR", "race_display VARCHAR", "ethnicity_code VARCHAR",
                "ethnicity_display VARCHAR", "birth_sex VARCHAR"],
            ["conditions"] = ["condition_id VARCHAR", "patient_id VARCHAR", "encounter_id VARCHAR", "code_system VARCHAR", "code VARCHAR", "display VARCHAR",
                "clinical_status VARCHAR", "verification_status VARCHAR", "category VARCHAR", $"onset {T}", $"abatement {T}", $"recorded_date {T}"],
            ["observations"] = ["observation_id VARCHAR", "patient_id VARCHAR", "encounter_id VARCHAR", "status VARCHAR", "category VARCHAR", "code_system VARCHAR",
                "code VARCHAR", "display VARCHAR", "component_index INTEGER", "parent_code_system VARCHAR", "parent_code VARCHAR", "parent_display VARCHAR",
                $"effective {T}", "value_type VARCHAR", "value_number DOUBLE", "value_unit VARCHAR", "value_comparator VARCHAR", "value_code_system VARCHAR",
                "value_code VARCHAR", "value_display VARCHAR", "value_string VARCHAR", "value_boolean BOOLEAN", $"value_date_time {T}",
                "sampled_count INTEGER", "sampled_min DOUBLE", "sampled_max DOUBLE", "sampled_mean DOUBLE", "sampled_period_ms DOUBLE"],
            ["medications"] = ["medication_id VARCHAR", "patient_id VARCHAR", "encounter_id VARCHAR", "resource_type VARCHAR", "code_system VARCHAR", "code VARCHAR",
                "display VARCHAR", "medication_ref VARCHAR", "status VARCHAR", "intent VARCHAR", $"authored_on {T}", $"effective {T}"],
            ["telemetry_daily"] = ["patient_id VARCHAR", "type VARCHAR", "code VARCHAR", "day DATE", "count BIGINT", "min DOUBLE", "max DOUBLE", "mean DOUBLE", "unit VARCHAR"],
        };
        foreach (var (table, columns) in expected)
        {
            Assert.Equal(columns, _files.Columns(table).Select(c => $"{c.Name} {c.Type}"));
            Assert.Equal(0, _files.Count($"SELECT count(*) FROM {_files.Read(table)}"));
        }

        var required = _files.Rows($"SELECT name FROM parquet_schema('{_files.PathOf("observations")}') WHERE repetition_type = 'REQUIRED'").Select(r => (string)r[0]!);
        Assert.Equal(["observation_id", "patient_id"], required);
        var metadata = _files.Rows($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{_files.PathOf("medications")}') WHERE decode(key) LIKE 'healthdataspace.%' ORDER BY 1");
        Assert.Equal([["healthdataspace.layout", "1"], ["healthdataspace.table", "medications"]], metadata);
    }

    [Fact]
    public async Task AddTelemetryDayAsync_RowsOverSeveralRowGroups_RoundTripExactly()
    {
        // 5,000 rows in groups of 2,000: buffers grow past their initial size, and the last group is partial.
        var rows = Enumerable.Range(0, 5000).Select(i => new TelemetryDayRow($"p{i % 7}", i % 2 == 0 ? "heart-rate" : "steps", i % 2 == 0 ? "8867-4" : "55423-8",
            new DateOnly(2010, 1, 1).AddDays(i), i + 1, 40.5 + i, 180.25 + i, 100.125 + i + ((i % 7) / 8.0), i % 5 == 0 ? null : "/min")).ToList();
        await using (var set = _files.CreateSet(2000))
        {
            foreach (var row in rows)
            {
                await set.AddTelemetryDayAsync(row, CancellationToken.None);
            }

            Assert.Equal(5000, (await set.CompleteAsync(CancellationToken.None)).Single(t => t.Name == "telemetry_daily").Rows);
        }

        _files.CloseStreams();
        var read = _files.Rows($"SELECT patient_id, type, code, CAST(day AS VARCHAR), count, min, max, mean, unit FROM {_files.Read("telemetry_daily")} ORDER BY day");
        Assert.Equal(rows.Select(r => new object?[] { r.PatientId, r.Type, r.Code, r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Count, r.Min, r.Max, r.Mean, r.Unit }), read);
        var groups = _files.Rows($"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{_files.PathOf("telemetry_daily")}') ORDER BY 1");
        Assert.Equal([2000L, 2000L, 1000L], groups.Select(g => Convert.ToInt64(g[1], CultureInfo.InvariantCulture)));
        Assert.Equal(rows.Count(r => r.Day >= new DateOnly(2020, 1, 1)), _files.Count($"SELECT count(*) FROM {_files.Read("telemetry_daily")} WHERE day >= DATE '2020-01-01'"));
    }

    [Fact]
    public async Task AddResourceAsync_ObservationShapes_OneRowEachOrOnePerComponent()
    {
        await WriteAsync(
            Observation("o1", """, "status": "final", "category": [{"coding": [{"code": "laboratory"}]}], "encounter": {"reference": "Encounter/e1"}, "effectiveDateTime": "2020-03-04T10:00:00+02:00", "valueQuantity": {"value": 7.25, "unit": "mmol/L", "comparator": "<"}"""),
            Observation("o2", """, "effectivePeriod": {"start": "2021-05-06"}, "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 120, "code": "mm[Hg]"}}, {"code": {"coding": [{"code": "8462-4"}]}, "valueQuantity": {"value": 80}}]""", code: "55284-4"),
            Observation("o3", """, "valueCodeableConcept": {"coding": [{"system": "s", "code": "own", "display": "Own"}, {"code": "second"}]}, "component": [{"code": {"coding": [{"code": "c0"}]}, "valueString": "text"}]"""),
            Observation("o4", """, "dataAbsentReason": {"coding": [{"code": "unknown"}]}"""),
            Observation("o5", """, "valueSampledData": {"origin": {"value": 60, "unit": "beats/min"}, "factor": 2, "period": 1000, "dimensions": 1, "data": "1 2 E 3"}"""),
            Observation("o6", """, "valueBoolean": true"""),
            Observation("o7", """, "valueInteger": 4"""),
            Observation("o8", """, "valueDateTime": "2019", "effectiveInstant": "2019-02-03T04:05:06.789Z" """),
            Observation("o9", """, "valueSampledData": {"origin": {"value": 0}, "period": 10, "dimensions": 2, "data": "1 2 3 4"}"""));

        var rows = Cells($"SELECT observation_id, component_index, code, parent_code, value_type, value_number, value_unit, value_comparator, value_code, value_display, " +
            $"value_string, value_boolean, epoch_us(value_date_time), sampled_count, sampled_min, sampled_max, sampled_mean, sampled_period_ms, epoch_us(effective), " +
            $"encounter_id, category, status FROM {_files.Read("observations")} ORDER BY observation_id, component_index NULLS FIRST");

        string?[][] expected =
        [
            ["o1", null, "x", null, "Quantity", "7.25", "mmol/L", "<", null, null, null, null, null, null, null, null, null, null, Micros("2020-03-04T08:00:00Z"), "e1", "laboratory", "final"],
            ["o2", "0", "8480-6", "55284-4", "Quantity", "120", "mm[Hg]", null, null, null, null, null, null, null, null, null, null, null, Micros("2021-05-06T00:00:00Z"), null, null, null],
            ["o2", "1", "8462-4", "55284-4", "Quantity", "80", null, null, null, null, null, null, null, null, null, null, null, null, Micros("2021-05-06T00:00:00Z"), null, null, null],
            ["o3", null, "x", null, "CodeableConcept", null, null, null, "own", "Own", null, null, null, null, null, null, null, null, null, null, null, null],
            ["o3", "0", "c0", "x", "string", null, null, null, null, null, "text", null, null, null, null, null, null, null, null, null, null, null],
            ["o4", null, "x", null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
            ["o5", null, "x", null, "SampledData", null, "beats/min", null, null, null, null, null, null, "3", "62", "66", "64", "1000", null, null, null, null],
            ["o6", null, "x", null, "boolean", null, null, null, null, null, null, "True", null, null, null, null, null, null, null, null, null, null],
            ["o7", null, "x", null, "integer", "4", null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
            ["o8", null, "x", null, "dateTime", null, null, null, null, null, null, null, Micros("2019-01-01T00:00:00Z"), null, null, null, null, null, Micros("2019-02-03T04:05:06.789Z"), null, null, null],
            ["o9", null, "x", null, "SampledData", null, null, null, null, null, null, null, null, "4", null, null, null, "10", null, null, null, null],
        ];
        Assert.Equal(expected, rows);
    }

    [Fact]
    public async Task AddResourceAsync_PatientConditionAndMedications_ColumnsFromTheirJson()
    {
        await WriteAsync(
            """{"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1965", "deceasedBoolean": false, "address": [{"postalCode": "02100", "state": "MA", "country": "US"}, {"postalCode": "99999"}], "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", "extension": [{"url": "text", "valueString": "White"}, {"url": "ombCategory", "valueCoding": {"code": "2106-3", "display": "White"}}]}, {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity", "extension": [{"url": "ombCategory", "valueCoding": {"code": "2186-5"}}]}, {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F"}]}""",
            """{"resourceType": "Patient", "id": "p2", "deceasedDateTime": "2020-01-02T03:04:05Z"}""",
            """{"resourceType": "Patient", "id": "p3"}""",
            """{"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"}, "clinicalStatus": {"coding": [{"code": "active"}]}, "verificationStatus": {"coding": [{"code": "confirmed"}]}, "category": [{"coding": [{"code": "problem-list-item"}]}], "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes"}, {"system": "icd", "code": "E11"}]}, "onsetPeriod": {"start": "2010-06"}, "abatementString": "childhood", "recordedDate": "2020-02-03"}""",
            """{"resourceType": "Condition", "id": "c2", "subject": {"reference": "https://hds.example/fhir/Patient/p2/_history/3"}}""",
            """{"resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order", "subject": {"reference": "Patient/p1"}, "encounter": {"reference": "Encounter/e9"}, "medicationCodeableConcept": {"coding": [{"system": "rxnorm", "code": "860975", "display": "Metformin"}]}, "authoredOn": "2021-01-01T12:00:00+01:00"}""",
            """{"resourceType": "MedicationStatement", "id": "m2", "status": "completed", "subject": {"reference": "Patient/p2"}, "context": {"reference": "Encounter/e8"}, "medicationReference": {"reference": "Medication/med7"}, "effectivePeriod": {"start": "2022-02-02T00:00:00Z", "end": "2022-03-01"}}""");

        Assert.Equal(
            [
                ["p1", "female", "1965", "1965", "False", null, "02100", "MA", "US", "2106-3", "White", "2186-5", null, "F"],
                ["p2", null, null, null, "True", Micros("2020-01-02T03:04:05Z"), null, null, null, null, null, null, null, null],
                ["p3", null, null, null, null, null, null, null, null, null, null, null, null, null],
            ],
            Cells($"SELECT patient_id, gender, birth_date, birth_year, deceased, epoch_us(deceased_date_time), postal_region, state, country, race_code, race_display, ethnicity_code, ethnicity_display, birth_sex FROM {_files.Read("patients")} ORDER BY 1"));
        Assert.Equal(
            [
                ["c1", "p1", null, "http://snomed.info/sct", "44054006", "Diabetes", "active", "confirmed", "problem-list-item", Micros("2010-06-01T00:00:00Z"), null, Micros("2020-02-03T00:00:00Z")],
                ["c2", "p2", null, null, null, null, null, null, null, null, null, null],
            ],
            Cells($"SELECT condition_id, patient_id, encounter_id, code_system, code, display, clinical_status, verification_status, category, epoch_us(onset), epoch_us(abatement), epoch_us(recorded_date) FROM {_files.Read("conditions")} ORDER BY 1"));
        Assert.Equal(
            [
                ["m1", "p1", "e9", "MedicationRequest", "rxnorm", "860975", "Metformin", null, "active", "order", Micros("2021-01-01T11:00:00Z"), null],
                ["m2", "p2", "e8", "MedicationStatement", null, null, null, "med7", "completed", null, null, Micros("2022-02-02T00:00:00Z")],
            ],
            Cells($"SELECT medication_id, patient_id, encounter_id, resource_type, code_system, code, display, medication_ref, status, intent, epoch_us(authored_on), epoch_us(effective) FROM {_files.Read("medications")} ORDER BY 1"));
    }

    public static TheoryData<string, string, string> BadResources() => new()
    {
        { "not JSON", """{"resourceType": "Observation", "id": SECRET}""", "Observation: is not valid JSON" },
        { "truncated", """{"resourceType": "Observation", "id": "SECRET", """, "Observation: is not valid JSON" },
        { "an array", """["SECRET"]""", "resource: is not a JSON object" },
        { "no resourceType", """{"id": "SECRET"}""", "resource: has no resourceType" },
        { "no id", Observation(string.Empty, """, "valueString": "SECRET" """).Replace("\"id\": \"\"", "\"idx\": \"SECRET\"", StringComparison.Ordinal), "Observation: id is required" },
        { "subject not a Patient", """{"resourceType": "Condition", "id": "c", "subject": {"reference": "Group/SECRET"}}""", "Condition: subject.reference must reference a Patient" },
        { "no subject", """{"resourceType": "MedicationRequest", "id": "m", "note": "SECRET"}""", "MedicationRequest: subject.reference must reference a Patient" },
        { "quantity value a string", Observation("bad", """, "valueQuantity": {"value": "SECRET"}"""), "Observation: valueQuantity.value must be a finite number" },
        { "unreadable date", """{"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p1"}, "onsetDateTime": "SECRET"}""", "Condition: onsetDateTime is not a FHIR date" },
        { "second component bad", Observation("bad", """, "component": [{"code": {"coding": [{"code": "ok"}]}, "valueInteger": 1}, {"code": {"coding": [{"code": 5}]}, "valueString": "SECRET"}]"""), "Observation: component[1].code.coding[0].code must be a string" },
        { "category not an array", Observation("bad", """, "category": {"text": "SECRET"}"""), "Observation: category must be an array" },
        { "unknown value type", Observation("bad", """, "valueSECRET": 1"""), "Observation: value[x] has a type that is not a choice" },
    };

    [Theory]
    [MemberData(nameof(BadResources))]
    public async Task AddResourceAsync_BadResource_ThrowsBeforeBufferingAndTheTablesStayWhole(string why, string json, string message)
    {
        await using (var set = _files.CreateSet(2))
        {
            Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes(Observation("before", string.Empty)), CancellationToken.None));
            var error = await Assert.ThrowsAsync<DatasetRowException>(() => set.AddResourceAsync(Encoding.UTF8.GetBytes(json), CancellationToken.None).AsTask());
            Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", error.ToString(), StringComparison.Ordinal);
            Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes(Observation("after", string.Empty)), CancellationToken.None));
            Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes(Observation("later", """, "valueInteger": 3""")), CancellationToken.None));
            await set.CompleteAsync(CancellationToken.None);
        }

        _files.CloseStreams();
        Assert.True(why.Length > 0);
        Assert.Equal([["after"], ["before"], ["later"]], Cells($"SELECT observation_id FROM {_files.Read("observations")} ORDER BY 1"));
        Assert.Equal(0, _files.Count($"SELECT count(*) FROM {_files.Read("conditions")}") + _files.Count($"SELECT count(*) FROM {_files.Read("medications")}"));
    }

    [Fact]
    public async Task AddResourceAsync_OtherTypesAndPartialRowGroups_OpenNothingUntilARowGroupIsFull()
    {
        var set = _files.CreateSet(2);
        await using (set)
        {
            Assert.False(await set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"resourceType": "Encounter", "id": "e1", "subject": {"reference": "Patient/p1"}}"""), CancellationToken.None));
            Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"resourceType": "Patient", "id": "p1"}"""), CancellationToken.None));
            Assert.Empty(_files.OpenOrder);
            Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"id": "p2", "resourceType": "Patient"}"""), CancellationToken.None));
            Assert.Equal(["patients"], _files.OpenOrder);
            Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"resourceType": "Patient", "id": "p3"}"""), CancellationToken.None));

            var tables = await set.CompleteAsync(CancellationToken.None);
            Assert.Equal([3L, 0, 0, 0, 0], tables.Select(t => t.Rows));
            Assert.Equal(["patients", "conditions", "observations", "medications", "telemetry_daily"], _files.OpenOrder);
            Assert.All(_files.Opened.Values, s => Assert.False(s.Disposed));
            await Assert.ThrowsAsync<InvalidOperationException>(() => set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"resourceType": "Patient", "id": "p4"}"""), CancellationToken.None).AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => set.CompleteAsync(CancellationToken.None));
        }

        _files.CloseStreams();
        Assert.Equal([["p1"], ["p2"], ["p3"]], Cells($"SELECT patient_id FROM {_files.Read("patients")} ORDER BY 1"));
        Assert.Equal(2, _files.Count($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{_files.PathOf("patients")}')"));
    }

    private static readonly TelemetryDayRow[] BadTelemetryRows =
    [
        new TelemetryDayRow(string.Empty, "heart-rate", "8867-4", new DateOnly(2026, 1, 1), 1, 60, 60, 60, "/min"),
        new TelemetryDayRow(P1, "heart-rate", string.Empty, new DateOnly(2026, 1, 1), 1, 60, 60, 60, "/min"),
        new TelemetryDayRow(P1, "heart-rate", "8867-4", new DateOnly(2026, 1, 1), 0, 60, 60, 60, "/min"),
        new TelemetryDayRow(P1, "heart-rate", "8867-4", new DateOnly(2026, 1, 1), 3, double.NaN, 60, 60, "/min"),
        new TelemetryDayRow(P1, "heart-rate", "8867-4", new DateOnly(2026, 1, 1), 3, 70, 60, 65, "/min"),
        new TelemetryDayRow(P1, "heart-rate", "8867-4", new DateOnly(2026, 1, 1), 3, 50, 60, 65, string.Empty),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task AddTelemetryDayAsync_InvalidRow_ThrowsAndWritesNothing(int index)
    {
        var row = BadTelemetryRows[index];
        await using (var set = _files.CreateSet(1))
        {
            var error = await Assert.ThrowsAsync<DatasetRowException>(() => set.AddTelemetryDayAsync(row, CancellationToken.None).AsTask());
            Assert.Equal("telemetry", error.ResourceType);
            await set.CompleteAsync(CancellationToken.None);
        }

        _files.CloseStreams();
        Assert.Equal(0, _files.Count($"SELECT count(*) FROM {_files.Read("telemetry_daily")}"));
    }

    [Fact]
    public async Task AddResourceAsync_OutputFails_TheErrorSurfacesAndTheTableRefusesMore()
    {
        var set = new DatasetTableSet((_, _) => Task.FromResult<Stream>(new FailingStream()), rowGroupSize: 1);
        await using (set)
        {
            await Assert.ThrowsAsync<IOException>(() => set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"resourceType": "Patient", "id": "p1"}"""), CancellationToken.None).AsTask());
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => set.AddResourceAsync(Encoding.UTF8.GetBytes("""{"resourceType": "Patient", "id": "p2"}"""), CancellationToken.None).AsTask());
            Assert.Contains("patients", error.Message, StringComparison.Ordinal);
        }
    }

    private static string Observation(string id, string rest, string code = "x") =>
        $$"""{"resourceType": "Observation", "id": "{{id}}", "subject": {"reference": "Patient/{{P1}}"}, "code": {"coding": [{"code": "{{code}}"}]}{{rest}}}""";

    private static string Micros(string instant) =>
        ((DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture).UtcTicks - DateTime.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture);

    private async Task WriteAsync(params string[] resources)
    {
        await using (var set = _files.CreateSet(4))
        {
            foreach (var resource in resources)
            {
                Assert.True(await set.AddResourceAsync(Encoding.UTF8.GetBytes(resource), CancellationToken.None));
            }

            await set.CompleteAsync(CancellationToken.None);
        }

        _files.CloseStreams();
    }

    /// <summary>Rows as invariant strings (nulls kept), so expected rows can be written out literally.</summary>
    private string?[][] Cells(string sql) =>
        [.. _files.Rows(sql).Select(r => r.Select(v => v is null ? null : Convert.ToString(v, CultureInfo.InvariantCulture)).ToArray())];

    private sealed class FailingStream : MemoryStream
    {
        public override bool CanSeek => false;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("the upload failed"));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromException(new IOException("the upload failed"));

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("the upload failed");
    }
}
