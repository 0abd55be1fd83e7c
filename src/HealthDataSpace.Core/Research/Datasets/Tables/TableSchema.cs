using Parquet.Schema;

namespace HealthDataSpace.Core.Research.Datasets.Tables;

/// <summary>A table's name and columns, in file order. One instance per table; buffers are made per writer.</summary>
internal sealed class TableSchema<TRow>
{
    private readonly IReadOnlyList<ColumnSpec<TRow>> _columns;

    public TableSchema(string name, IReadOnlyList<ColumnSpec<TRow>> columns)
    {
        Name = name;
        _columns = columns;
        Parquet = new ParquetSchema(columns.Select(c => c.Field));
    }

    public string Name { get; }

    public ParquetSchema Parquet { get; }

    public IEnumerable<string> ColumnNames => _columns.Select(c => c.Field.Name);

    public TableColumn<TRow>[] CreateBuffers(int rowGroupSize) => [.. _columns.Select(c => c.CreateBuffer(rowGroupSize))];
}

/// <summary>
/// The five dataset tables, column by column (docs/dataset-tables.md describes each). Column names are snake_case and
/// stable: partners' notebooks read them by name, so add columns at the end and never rename one.
/// </summary>
internal static class DatasetTables
{
    public static readonly TableSchema<PatientRow> Patients = new("patients",
    [
        Columns<PatientRow>.RequiredText("patient_id", r => r.PatientId),
        Columns<PatientRow>.Text("gender", r => r.Gender),
        Columns<PatientRow>.Text("birth_date", r => r.BirthDate),
        Columns<PatientRow>.Int32("birth_year", r => r.BirthYear),
        Columns<PatientRow>.Boolean("deceased", r => r.Deceased),
        Columns<PatientRow>.Timestamp("deceased_date_time", r => r.DeceasedDateTime),
        Columns<PatientRow>.Text("postal_region", r => r.PostalRegion),
        Columns<PatientRow>.Text("state", r => r.State),
        Columns<PatientRow>.Text("country", r => r.Country),
        Columns<PatientRow>.Text("race_code", r => r.Race.Code),
        Columns<PatientRow>.Text("race_display", r => r.Race.Display),
        Columns<PatientRow>.Text("ethnicity_code", r => r.Ethnicity.Code),
        Columns<PatientRow>.Text("ethnicity_display", r => r.Ethnicity.Display),
        Columns<PatientRow>.Text("birth_sex", r => r.BirthSex),
    ]);

    public static readonly TableSchema<ConditionRow> Conditions = new("conditions",
    [
        .. Columns<ConditionRow>.Clinical("condition_id", r => r.ConditionId, r => r.PatientId, r => r.EncounterId),
        .. Columns<ConditionRow>.Coding("", r => r.Code),
        Columns<ConditionRow>.Text("clinical_status", r => r.ClinicalStatus),
        Columns<ConditionRow>.Text("verification_status", r => r.VerificationStatus),
        Columns<ConditionRow>.Text("category", r => r.Category),
        Columns<ConditionRow>.Timestamp("onset", r => r.Onset),
        Columns<ConditionRow>.Timestamp("abatement", r => r.Abatement),
        Columns<ConditionRow>.Timestamp("recorded_date", r => r.RecordedDate),
    ]);

    public static readonly TableSchema<ObservationRow> Observations = new("observations",
    [
        .. Columns<ObservationRow>.Clinical("observation_id", r => r.ObservationId, r => r.PatientId, r => r.EncounterId),
        Columns<ObservationRow>.Text("status", r => r.Status),
        Columns<ObservationRow>.Text("category", r => r.Category),
        .. Columns<ObservationRow>.Coding("", r => r.Code),
        Columns<ObservationRow>.Int32("component_index", r => r.ComponentIndex),
        .. Columns<ObservationRow>.Coding("parent_", r => r.Parent),
        Columns<ObservationRow>.Timestamp("effective", r => r.Effective),
        Columns<ObservationRow>.Text("value_type", r => r.Value.Type),
        Columns<ObservationRow>.Double("value_number", r => r.Value.Number),
        Columns<ObservationRow>.Text("value_unit", r => r.Value.Unit),
        Columns<ObservationRow>.Text("value_comparator", r => r.Value.Comparator),
        .. Columns<ObservationRow>.Coding("value_", r => r.Value.Coding),
        Columns<ObservationRow>.Text("value_string", r => r.Value.Text),
        Columns<ObservationRow>.Boolean("value_boolean", r => r.Value.Boolean),
        Columns<ObservationRow>.Timestamp("value_date_time", r => r.Value.DateTimeValue),
        Columns<ObservationRow>.Int32("sampled_count", r => r.Value.Sampled?.Count),
        Columns<ObservationRow>.Double("sampled_min", r => r.Value.Sampled?.Min),
        Columns<ObservationRow>.Double("sampled_max", r => r.Value.Sampled?.Max),
        Columns<ObservationRow>.Double("sampled_mean", r => r.Value.Sampled?.Mean),
        Columns<ObservationRow>.Double("sampled_period_ms", r => r.Value.Sampled?.PeriodMs),
    ]);

    public static readonly TableSchema<MedicationRow> Medications = new("medications",
    [
        .. Columns<MedicationRow>.Clinical("medication_id", r => r.MedicationId, r => r.PatientId, r => r.EncounterId),
        Columns<MedicationRow>.RequiredText("resource_type", r => r.ResourceType),
        .. Columns<MedicationRow>.Coding("", r => r.Code),
        Columns<MedicationRow>.Text("medication_ref", r => r.MedicationRef),
        Columns<MedicationRow>.Text("status", r => r.Status),
        Columns<MedicationRow>.Text("intent", r => r.Intent),
        Columns<MedicationRow>.Timestamp("authored_on", r => r.AuthoredOn),
        Columns<MedicationRow>.Timestamp("effective", r => r.Effective),
    ]);

    public static readonly TableSchema<TelemetryDayRow> TelemetryDaily = new("telemetry_daily",
    [
        Columns<TelemetryDayRow>.RequiredText("patient_id", r => r.PatientId),
        Columns<TelemetryDayRow>.RequiredText("type", r => r.Type),
        Columns<TelemetryDayRow>.RequiredText("code", r => r.Code),
        Columns<TelemetryDayRow>.RequiredDate("day", r => r.Day),
        Columns<TelemetryDayRow>.RequiredInt64("count", r => r.Count),
        Columns<TelemetryDayRow>.RequiredDouble("min", r => r.Min),
        Columns<TelemetryDayRow>.RequiredDouble("max", r => r.Max),
        Columns<TelemetryDayRow>.RequiredDouble("mean", r => r.Mean),
        Columns<TelemetryDayRow>.Text("unit", r => r.Unit),
    ]);
}
