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
    // Per value name, in arrival order; sorted (stable, so the first reading at a time wins) only when read and only if
    // the readings did not already arrive in time order, which they nearly always do.
    private readonly Dictionary<string, Series> _values = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Which group a reading falls in, without formatting its identifier: grouping runs once per reading, the
    /// identifier once per group.
    /// </summary>
    public static GroupBucket BucketOf(CodeValueFhirTemplate template, NormalizedReading reading)
    {
        var ticks = reading.OccurrenceTime.UtcTicks;
        return template.PeriodInterval switch
        {
            ObservationPeriodInterval.Hourly => new GroupBucket(template.TypeName, ObservationPeriodInterval.Hourly, ticks - (ticks % TimeSpan.TicksPerHour), null),
            ObservationPeriodInterval.Daily => new GroupBucket(template.TypeName, ObservationPeriodInterval.Daily, ticks - (ticks % TimeSpan.TicksPerDay), null),
            ObservationPeriodInterval.CorrelationId when reading.CorrelationId is { } correlation =>
                new GroupBucket(template.TypeName, ObservationPeriodInterval.CorrelationId, 0, correlation),
            _ => new GroupBucket(template.TypeName, ObservationPeriodInterval.Single, ticks, null),
        };
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
                _values[value.Name] = series = new Series();
            }

            series.Add(time, value.Value);
        }
    }

    /// <summary>The values of one name in time order, one per instant (the first that arrived for it).</summary>
    public IReadOnlyCollection<KeyValuePair<DateTimeOffset, string>>? Values(string valueName) =>
        _values.TryGetValue(valueName, out var series) ? series.Ordered() : null;

    /// <summary>UTC, to the tick, sortable, no separators that need escaping in an identifier.</summary>
    public static string Stamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.FFFFFFF'Z'", CultureInfo.InvariantCulture).Replace(".Z", "Z", StringComparison.Ordinal);

    private sealed class Series
    {
        private readonly List<KeyValuePair<DateTimeOffset, string>> _items = [];
        private bool _inOrder = true;

        public void Add(DateTimeOffset time, string value)
        {
            if (_items.Count > 0 && time <= _items[^1].Key)
            {
                if (time == _items[^1].Key)
                {
                    return;
                }

                _inOrder = false;
            }

            _items.Add(new(time, value));
        }

        public List<KeyValuePair<DateTimeOffset, string>> Ordered()
        {
            if (_inOrder)
            {
                return _items;
            }

            // Stable: of the readings at one instant, the one that arrived first stays, as in a sorted set.
            var ordered = _items.Select((item, index) => (item, index)).OrderBy(x => x.item.Key).ThenBy(x => x.index).Select(x => x.item).ToList();
            _items.Clear();
            foreach (var item in ordered)
            {
                if (_items.Count == 0 || _items[^1].Key != item.Key)
                {
                    _items.Add(item);
                }
            }

            _inOrder = true;
            return _items;
        }
    }
}

/// <summary>The group a reading falls in: type, kind of period, and the period's start (ticks) or the correlation id.</summary>
internal readonly record struct GroupBucket(string Type, ObservationPeriodInterval Kind, long StartTicks, string? Correlation);
