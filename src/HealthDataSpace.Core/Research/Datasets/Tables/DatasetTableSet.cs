using System.Text.Json;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>
/// Writes the Parquet tables of one research dataset (patients, conditions, observations, medications,
/// telemetry_daily) row group by row group, from resources exactly as the anonymization engine wrote them. Memory is
/// bounded by <c>rowGroupSize</c> rows per table, whatever the dataset's size. Resources are read as JSON (no FHIR
/// model), only the elements the tables have. Not thread-safe: one export feeds one set.
/// </summary>
internal sealed class DatasetTableSet : IAsyncDisposable
{
    public const int DefaultRowGroupSize = 50_000;

    private readonly TableWriter<PatientRow> _patients;
    private readonly TableWriter<ConditionRow> _conditions;
    private readonly TableWriter<ObservationRow> _observations;
    private readonly TableWriter<MedicationRow> _medications;
    private readonly TableWriter<TelemetryDayRow> _telemetry;
    private readonly ITableWriter[] _all;
    private bool _closed;

    /// <param name="openTable">
    /// Opens the output of a table by its name, once per table, when its first row group is written (or at
    /// <see cref="CompleteAsync"/> for a table without rows: every table is written, so a partner's schema is stable).
    /// The caller owns the stream; it need not be seekable and is left open.
    /// </param>
    /// <param name="rowGroupSize">Rows per row group (and per table buffer).</param>
    public DatasetTableSet(Func<string, CancellationToken, Task<Stream>> openTable, int rowGroupSize = DefaultRowGroupSize)
    {
        ArgumentNullException.ThrowIfNull(openTable);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        _patients = new(DatasetTables.Patients, rowGroupSize, openTable);
        _conditions = new(DatasetTables.Conditions, rowGroupSize, openTable);
        _observations = new(DatasetTables.Observations, rowGroupSize, openTable);
        _medications = new(DatasetTables.Medications, rowGroupSize, openTable);
        _telemetry = new(DatasetTables.TelemetryDaily, rowGroupSize, openTable);
        _all = [_patients, _conditions, _observations, _medications, _telemetry];
    }

    /// <summary>The tables, in the order <see cref="CompleteAsync"/> reports them; each is written as <c>{name}.parquet</c> by convention of the caller.</summary>
    public static IReadOnlyList<string> TableNames { get; } =
    [
        DatasetTables.Patients.Name, DatasetTables.Conditions.Name, DatasetTables.Observations.Name,
        DatasetTables.Medications.Name, DatasetTables.TelemetryDaily.Name,
    ];

    /// <summary>
    /// Adds one pseudonymised resource (compact JSON): Patient, Condition, Observation, MedicationRequest and
    /// MedicationStatement become rows; any other type is ignored (false).
    /// </summary>
    /// <exception cref="DatasetRowException">
    /// The JSON is malformed or the resource lacks what its table needs; nothing of it was buffered, the set goes on.
    /// </exception>
    public async ValueTask<bool> AddResourceAsync(ReadOnlyMemory<byte> pseudonymisedJson, CancellationToken ct)
    {
        CheckOpen();
        var type = ResourceTypeOf(pseudonymisedJson.Span);
        if (type is not ("Patient" or "Condition" or "Observation" or "MedicationRequest" or "MedicationStatement"))
        {
            return false;
        }

        using var document = Parse(pseudonymisedJson, type);
        var resource = new JsonFields(document.RootElement, type, string.Empty);
        switch (type)
        {
            case "Patient":
                await _patients.AddAsync(ResourceRowReader.Patient(resource), ct);
                break;
            case "Condition":
                await _conditions.AddAsync(ResourceRowReader.Condition(resource), ct);
                break;
            case "Observation":
                foreach (var row in ObservationRowReader.Rows(resource))
                {
                    await _observations.AddAsync(row, ct);
                }

                break;
            default:
                await _medications.AddAsync(ResourceRowReader.Medication(resource, type), ct);
                break;
        }

        return true;
    }

    /// <summary>Adds one row of <c>telemetry_daily</c>.</summary>
    /// <exception cref="DatasetRowException">An empty id, type or code, a count below 1, or aggregates that are not finite or out of order.</exception>
    public ValueTask AddTelemetryDayAsync(TelemetryDayRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        CheckOpen();
        var problem = string.IsNullOrEmpty(row.PatientId) || string.IsNullOrEmpty(row.Type) || string.IsNullOrEmpty(row.Code)
            ? "patient id, type and code are required"
            : row.Count < 1 ? "count must be at least 1"
            : !(double.IsFinite(row.Min) && double.IsFinite(row.Max) && double.IsFinite(row.Mean)) ? "min, max and mean must be finite"
            : !(row.Min <= row.Mean && row.Mean <= row.Max) ? "min <= mean <= max must hold"
            : row.Unit is "" ? "unit is empty (use null)"
            : null;
        return problem is null ? _telemetry.AddAsync(row, ct) : throw new DatasetRowException("telemetry", problem);
    }

    /// <summary>
    /// Writes the last row groups and every table's footer (empty tables too, with their full schema). The streams
    /// stay open for the caller to commit. The set accepts nothing afterwards.
    /// </summary>
    public async Task<IReadOnlyList<DatasetTableInfo>> CompleteAsync(CancellationToken ct)
    {
        CheckOpen();
        _closed = true;
        var tables = new List<DatasetTableInfo>(_all.Length);
        foreach (var table in _all)
        {
            tables.Add(await table.CompleteAsync(ct));
        }

        return tables;
    }

    /// <summary>
    /// Ends the set. Without <see cref="CompleteAsync"/> no footer is written: the outputs are incomplete files the
    /// caller discards (it owns and disposes the streams either way).
    /// </summary>
    public ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }

    private void CheckOpen()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The dataset tables are already complete (or disposed).");
        }
    }

    /// <summary>The top-level <c>resourceType</c>, read without building a document (most resources are of types the tables skip).</summary>
    private static string ResourceTypeOf(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new DatasetRowException("resource", "is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("resourceType"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } type
                        ? type
                        : throw new DatasetRowException("resource", "resourceType must be a non-empty string");
                }

                reader.Skip();
            }
        }
        catch (JsonException e)
        {
            throw NotJson("resource", e);
        }

        throw new DatasetRowException("resource", "has no resourceType");
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> json, string type)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw NotJson(type, e);
        }
    }

    /// <summary>
    /// Where the JSON breaks, not what it says there: the reader's own message can quote the input, so it is neither
    /// copied nor kept as the inner exception (which logs would print).
    /// </summary>
    private static DatasetRowException NotJson(string type, JsonException e) =>
        new(type, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
}
