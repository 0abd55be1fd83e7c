using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// What an export released, for the manifest and the catalogue: resources per type, telemetry day rows, coding systems,
/// the years the data covers, and what was left out (by consent, or because a stored resource could not be
/// de-identified). Counters are updated from the parallel workers.
/// </summary>
internal sealed class ExportStatistics
{
    private readonly ConcurrentDictionary<string, long> _byType = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _systems = new(StringComparer.Ordinal);
    private long _excludedByConsent;
    private long _telemetryDays;
    private long _minTicks = long.MaxValue;
    private long _maxTicks = long.MinValue;

    public IReadOnlyDictionary<string, long> ResourcesByType => _byType;

    public IReadOnlyDictionary<string, long> Errors => _errors;

    public IReadOnlyCollection<string> CodingSystems => [.. _systems.Keys.Order(StringComparer.Ordinal)];

    public long ExcludedByConsentCount => Interlocked.Read(ref _excludedByConsent);

    public long TelemetryDays => Interlocked.Read(ref _telemetryDays);

    public long Records => _byType.Values.Sum() + TelemetryDays;

    /// <summary>First and last year of the data's clinical dates (years, not days: one patient's date must not show).</summary>
    public (int From, int To)? Years => _minTicks == long.MaxValue ? null : (new DateTime(_minTicks).Year, new DateTime(_maxTicks).Year);

    public void Add(string type, IEnumerable<string> systems, long? ticks)
    {
        _byType.AddOrUpdate(type, 1, (_, n) => n + 1);
        foreach (var system in systems)
        {
            _systems.TryAdd(system, 0);
        }

        Cover(ticks);
    }

    public void TelemetryDay(string? system, long ticks)
    {
        Interlocked.Increment(ref _telemetryDays);
        if (system is not null)
        {
            _systems.TryAdd(system, 0);
        }

        Cover(ticks);
    }

    public void ExcludedByConsent() => Interlocked.Increment(ref _excludedByConsent);

    public void Error(string type) => _errors.AddOrUpdate(type, 1, (_, n) => n + 1);

    /// <summary>One OperationOutcome per type with failures, as Bulk Data's error file: counts and types, never content.</summary>
    public string ErrorOutcomes()
    {
        var lines = new StringBuilder();
        foreach (var (type, count) in _errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var outcome = new
            {
                resourceType = "OperationOutcome",
                issue = new[]
                {
                    new
                    {
                        severity = "error",
                        code = "processing",
                        diagnostics = string.Create(CultureInfo.InvariantCulture,
                            $"{count} stored {type} resource(s) could not be de-identified with the permit's policy and were left out."),
                    },
                },
            };
            lines.Append(JsonSerializer.Serialize(outcome)).Append('\n');
        }

        return lines.ToString();
    }

    private void Cover(long? ticks)
    {
        if (ticks is not { } t)
        {
            return;
        }

        for (var min = Interlocked.Read(ref _minTicks); t < min; min = Interlocked.Read(ref _minTicks))
        {
            if (Interlocked.CompareExchange(ref _minTicks, t, min) == min)
            {
                break;
            }
        }

        for (var max = Interlocked.Read(ref _maxTicks); t > max; max = Interlocked.Read(ref _maxTicks))
        {
            if (Interlocked.CompareExchange(ref _maxTicks, t, max) == max)
            {
                break;
            }
        }
    }
}
