using System.Globalization;
using HealthDataSpace.Core.Telemetry.Templates.FhirMapping;

namespace HealthDataSpace.Core.Telemetry.Observations;

/// <summary>
/// The readings of one device and type that become one Observation: one reading (periodInterval 0), a UTC hour (60),
/// a UTC day (1440), or one correlation id (-1). Values are kept per value name in time order; a second reading at the
/// same time is ignored (MedTech's sorted set).
/// </summary>
internal sealed class ObservationGroup
{
    private readonly Dictionary<string, SortedDictionary<DateTimeOffset, string>> _values = new(StringComparer.Ordinal);

    private ObservationGroup(CodeValueFhirTemplate template, string key, DateTimeOffset start, DateTimeOffset end)
    {
        Template = template;
        Key = key;
        Start = start;
        End = end;
    }

    public CodeValueFhirTemplate Template { get; }

    /// <summary>The part of the identifier after device and type: <c>hour.20190101T000000Z</c>.</summary>
    public string Key { get; }

    public DateTimeOffset Start { get; private set; }

    public DateTimeOffset End { get; private set; }

    public static (string Key, DateTimeOffset Start, DateTimeOffset End) Boundary(ObservationPeriodInterval interval, NormalizedReading reading)
    {
        var time = reading.OccurrenceTime.ToUniversalTime();
        switch (interval)
        {
            case ObservationPeriodInterval.Hourly:
                var hour = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);
                return ($"hour.{Stamp(hour)}", hour, hour.AddHours(1).AddTicks(-1));
            case ObservationPeriodInterval.Daily:
                var day = new DateTimeOffset(time.Year, time.Month, time.Day, 0, 0, 0, TimeSpan.Zero);
                return ($"day.{Stamp(day)}", day, day.AddDays(1).AddTicks(-1));
            case ObservationPeriodInterval.CorrelationId when reading.CorrelationId is { } correlation:
                return ($"correlation.{correlation}", time, time);
            default:
                // periodInterval 0, and correlation grouping for a reading that has no correlation id.
                return ($"instant.{Stamp(time)}", time, time);
        }
    }

    public static ObservationGroup Create(CodeValueFhirTemplate template, NormalizedReading first)
    {
        var (key, start, end) = Boundary(template.PeriodInterval, first);
        return new ObservationGroup(template, key, start, end);
    }

    public bool IsInstant => Template.PeriodInterval == ObservationPeriodInterval.Single || Key.StartsWith("instant.", StringComparison.Ordinal);

    public void Add(NormalizedReading reading)
    {
        var time = reading.OccurrenceTime.ToUniversalTime();
        if (Template.PeriodInterval == ObservationPeriodInterval.CorrelationId)
        {
            Start = time < Start ? time : Start;
            End = time > End ? time : End;
        }

        foreach (var value in reading.Values)
        {
            if (!_values.TryGetValue(value.Name, out var series))
            {
                _values[value.Name] = series = [];
            }

            series.TryAdd(time, value.Value);
        }
    }

    public IReadOnlyCollection<KeyValuePair<DateTimeOffset, string>>? Values(string valueName) =>
        _values.TryGetValue(valueName, out var series) ? series : null;

    /// <summary>UTC, to the tick, sortable, no separators that need escaping in an identifier.</summary>
    public static string Stamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.FFFFFFF'Z'", CultureInfo.InvariantCulture).Replace(".Z", "Z", StringComparison.Ordinal);
}
