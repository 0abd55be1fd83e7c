using System.Text;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Templates;
using HealthDataSpace.Tests.Common;

namespace HealthDataSpace.Core.Tests.Telemetry;

/// <summary>Paths into the shared MedTech and wearable data, and builders for device messages.</summary>
internal static class TelemetryTestData
{
    public static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<TelemetryTemplates> LazyDefaults = new(TelemetryTemplateFactory.LoadDefaults);

    public static TelemetryTemplates Defaults => LazyDefaults.Value;

    public static string IomtTemplateInput(string file) =>
        Path.Combine(RepositoryPaths.SharedData, "iomt", "test", "Microsoft.Health.Fhir.Ingest.Template.UnitTests", "TestInput", file);

    public static string IomtValidationInput(string file) =>
        Path.Combine(RepositoryPaths.SharedData, "iomt", "test", "Microsoft.Health.Fhir.Ingest.Validation.UnitTests", "TestInput", file);

    public static string IomtSample(string folder, string file) =>
        Path.Combine(RepositoryPaths.SharedData, "iomt", "sample", "templates", folder, file);

    public static string Shimmer(string vendor, string file) =>
        Path.Combine(RepositoryPaths.SharedData, "wearables", "openmhealth-shimmer", "org", "openmhealth", "shim", vendor, "mapper", file);

    public static string OpenMHealthRoot => Path.Combine(RepositoryPaths.SharedData, "wearables", "openmhealth-schemas-testdata", "omh");

    public static string Read(string path) => File.ReadAllText(path);

    /// <summary>The file parsed independently of the code under test (System.Text.Json), to derive expected values.</summary>
    public static JsonNode Node(string path) => JsonNode.Parse(File.ReadAllText(path).TrimStart('\uFEFF'))!;

    public static DeviceMessage Json(string deviceId, string json, IReadOnlyDictionary<string, string>? properties = null, DateTimeOffset? enqueued = null) =>
        new(deviceId, Guid.NewGuid().ToString("N"), enqueued ?? Now, Encoding.UTF8.GetBytes(json), null, properties ?? new Dictionary<string, string>());

    public static DeviceMessage Measurements(string deviceId, params DeviceMeasurement[] measurements) =>
        new(deviceId, Guid.NewGuid().ToString("N"), Now, ReadOnlyMemory<byte>.Empty, measurements, new Dictionary<string, string>());
}
