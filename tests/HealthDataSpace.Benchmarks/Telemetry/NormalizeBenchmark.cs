using System.CommandLine;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthDataSpace.Benchmarks.Infrastructure;
using HealthDataSpace.Core.Telemetry;
using HealthDataSpace.Core.Telemetry.Normalization;
using HealthDataSpace.Core.Telemetry.Observations;
using HealthDataSpace.Core.Telemetry.Templates;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Benchmarks.Telemetry;

/// <summary>
/// <c>normalize</c> (issue 3): readings per second through the shipped telemetry templates on one thread, for the
/// payload shapes devices send, beside a same-run baseline that only parses the same JSON into the token tree the
/// templates walk (the floor any template engine on Newtonsoft pays). BenchmarkDotNet short job, in-process.
/// </summary>
[MemoryDiagnoser]
public class NormalizeBenchmark
{
    private const int Messages = 1024;

    /// <summary>Readings each message yields, by benchmark method, for the readings/s line.</summary>
    private static readonly Dictionary<string, int> ReadingsPerMessage = new(StringComparer.Ordinal);

    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private TemplateTelemetryNormalizer _normalizer = null!;
    private TemplateObservationMapper _mapper = null!;
    private DeviceMessage[] _flatJson = null!;
    private DeviceMessage[] _iotHubJson = null!;
    private DeviceMessage[] _openMHealthJson = null!;
    private DeviceMessage[] _fitbitDay = null!;
    private DeviceMessage[] _structuredSingle = null!;
    private DeviceMessage[] _structuredBatch = null!;
    private NormalizedReading[] _dayOfHeartRate = null!;

    public static Command CreateCommand()
    {
        var command = new Command("normalize", "Telemetry normalisation readings/s per payload shape vs a bare JSON parse, and Observation mapping (issue 3), BenchmarkDotNet short run.");
        command.SetAction(_ => MicroBenchmark.Run<NormalizeBenchmark>(summary =>
        {
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, load average at end {MachineFacts.LoadAverage()}");
            foreach (var report in summary.Reports)
            {
                var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
                if (report.ResultStatistics is { } stats && ReadingsPerMessage.TryGetValue(name, out var readings))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"normalize {name}: {stats.Mean / 1000:F2} µs per message, {readings} reading(s) each = {readings * 1e9 / stats.Mean:N0} readings/s on one thread"));
                }
            }
        }));
        return command;
    }

    [GlobalSetup]
    public void Setup()
    {
        var templates = TelemetryTemplateFactory.LoadDefaults();
        _normalizer = templates.CreateNormalizer();
        _mapper = templates.CreateObservationMapper();
        var start = Now.AddDays(-3);

        _flatJson = Build(i => Json($$"""{"heartRate": {{60 + (i % 40)}}, "endDate": "{{start.AddSeconds(i):O}}"}"""));
        _iotHubJson = Build(i => Json($$"""{"HeartRate": {{60 + (i % 40)}}}""", new Dictionary<string, string> { ["iothub-creation-time-utc"] = start.AddSeconds(i).ToString("O", CultureInfo.InvariantCulture) }));
        _openMHealthJson = Build(i => Json($$$"""{"header": {"id": "{{{i}}}"}, "body": {"oxygen_saturation": {"value": {{{90 + (i % 10)}}}, "unit": "%"}, "effective_time_frame": {"date_time": "{{{start.AddSeconds(i):O}}}"} } }"""));

        // A day of minute-level Fitbit intraday heart rate: 1,440 readings per message.
        var dataset = string.Join(",", Enumerable.Range(0, 1440).Select(m => $$"""{"time": "{{TimeSpan.FromMinutes(m):hh\:mm\:ss}}", "value": {{55 + (m % 50)}}}"""));
        var fitbit = $$$"""{"activities-heart": [{"dateTime": "2026-01-14", "value": "64"}], "activities-heart-intraday": {"dataset": [{{{dataset}}}], "datasetInterval": 1, "datasetType": "minute"} }""";
        _fitbitDay = Build(_ => Json(fitbit), count: 8);

        _structuredSingle = Build(i => Structured([new DeviceMeasurement("heartrate", 60 + (i % 40), "/min", start.AddSeconds(i))]));
        _structuredBatch = Build(i => Structured([.. Enumerable.Range(0, 100).SelectMany(k =>
        {
            var at = start.AddSeconds((i * 100) + k);
            return k % 10 == 0
                ? new[] { new DeviceMeasurement("systolic", 120, "mmHg", at), new DeviceMeasurement("diastolic", 80, "mmHg", at) }
                : [new DeviceMeasurement(k % 2 == 0 ? "heartrate" : "spo2", 70 + (k % 20), null, at)];
        })]));

        _dayOfHeartRate = [.. Enumerable.Range(0, 1440).Select(m => new NormalizedReading("heartrate", Now.Date.AddDays(-1).AddMinutes(m), [new ReadingValue("hr", (60 + (m % 40)).ToString(CultureInfo.InvariantCulture))]))];

        Count(nameof(JsonFlatHeartRate), _flatJson[0]);
        Count(nameof(JsonIotHubBody), _iotHubJson[0]);
        Count(nameof(JsonOpenMHealthDataPoint), _openMHealthJson[0]);
        Count(nameof(JsonFitbitIntradayDay), _fitbitDay[0]);
        Count(nameof(StructuredOneMeasurement), _structuredSingle[0]);
        Count(nameof(StructuredHundredMeasurements), _structuredBatch[0]);
        ReadingsPerMessage[nameof(BaselineParseFlatJson)] = 1;
        ReadingsPerMessage[nameof(BaselineParseFitbitDay)] = 1440;
        ReadingsPerMessage[nameof(MapDayOfHeartRateToHourlyObservations)] = 1440;
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int JsonFlatHeartRate() => Normalize(_flatJson);

    [Benchmark(OperationsPerInvoke = Messages)]
    public int JsonIotHubBody() => Normalize(_iotHubJson);

    [Benchmark(OperationsPerInvoke = Messages)]
    public int JsonOpenMHealthDataPoint() => Normalize(_openMHealthJson);

    [Benchmark(OperationsPerInvoke = 8)]
    public int JsonFitbitIntradayDay() => Normalize(_fitbitDay);

    [Benchmark(OperationsPerInvoke = Messages)]
    public int StructuredOneMeasurement() => Normalize(_structuredSingle);

    [Benchmark(OperationsPerInvoke = Messages)]
    public int StructuredHundredMeasurements() => Normalize(_structuredBatch);

    /// <summary>Baseline: the same flat messages only parsed into Newtonsoft tokens (no envelope, no templates).</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public int BaselineParseFlatJson() => Parse(_flatJson);

    [Benchmark(OperationsPerInvoke = 8)]
    public int BaselineParseFitbitDay() => Parse(_fitbitDay);

    /// <summary>A day of minute-level heart rate to its 24 hourly SampledData Observations.</summary>
    [Benchmark]
    public int MapDayOfHeartRateToHourlyObservations() =>
        _mapper.Map(new TelemetrySubject("dev-1", "Device/dev-1", "Patient/p1"), _dayOfHeartRate).Count;

    private int Normalize(DeviceMessage[] messages)
    {
        var readings = 0;
        foreach (var message in messages)
        {
            var result = _normalizer.Normalize(message, Now);
            readings += result.IsRejected ? throw new InvalidOperationException($"benchmark message rejected: {result.Rejection}") : result.Readings.Count;
        }

        return readings;
    }

    private static int Parse(DeviceMessage[] messages)
    {
        var tokens = 0;
        foreach (var message in messages)
        {
            tokens += JToken.Parse(Encoding.UTF8.GetString(message.JsonPayload.Span)).Count();
        }

        return tokens;
    }

    private void Count(string name, DeviceMessage message) =>
        ReadingsPerMessage[name] = _normalizer.Normalize(message, Now) is { IsRejected: false } result
            ? result.Readings.Count
            : throw new InvalidOperationException($"{name}: the benchmark message is rejected");

    private static DeviceMessage[] Build(Func<int, DeviceMessage> create, int count = Messages) => [.. Enumerable.Range(0, count).Select(create)];

    private static DeviceMessage Json(string json, Dictionary<string, string>? properties = null) =>
        new("dev-1", Guid.NewGuid().ToString("N"), Now, Encoding.UTF8.GetBytes(json), null, properties ?? []);

    private static DeviceMessage Structured(IReadOnlyList<DeviceMeasurement> measurements) =>
        new("dev-1", Guid.NewGuid().ToString("N"), Now, ReadOnlyMemory<byte>.Empty, measurements, new Dictionary<string, string>());
}
