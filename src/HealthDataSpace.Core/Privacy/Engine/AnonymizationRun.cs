namespace HealthDataSpace.Core.Privacy;

/// <summary>The state of anonymizing one file or resource: reused scratch space, the clock, the date-shift keys.</summary>
internal sealed class AnonymizationRun(ResourceNodeIndex index, TimeProvider clock, string? dateShiftPrefix)
{
    private Dictionary<FhirNode, string>? _patientKeys;
    private DateTime? _today;

    public ResourceNodeIndex Index { get; } = index;

    public List<FhirNode> Matches { get; } = [];

    /// <summary>The local date and time, read once per run on first use: converting to local time costs more than most rules.</summary>
    public DateTime Today => _today ??= clock.GetLocalNow().DateTime;

    /// <summary>Microsoft-compatible file or folder scope: the shared date-shift prefix; null for resource scope.</summary>
    public string? DateShiftPrefix { get; } = dateShiftPrefix;

    public int ResourceCount { get; set; }

    public void AssignPatientKeys(FhirNode root) => _patientKeys = PatientKeys.Assign(root);

    public string PatientKeyOf(FhirNode resource) =>
        _patientKeys?.GetValueOrDefault(resource) ?? $"{resource.InstanceType}/{resource.FirstChild("id")?.Value}";
}
