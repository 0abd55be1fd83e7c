namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// Day aggregates of telemetry per (patient, type, UTC day): count, sum, minimum, maximum. Part of the
/// <see cref="ResearchIndex"/>, which owns the patient ordinals and the lock (this class is not thread-safe).
/// <para>
/// Memory: one 40-byte <see cref="Aggregate"/> per (patient, type, day) — a day of 5-second heart rate is 17,280
/// readings, one aggregate — kept per type in fixed-size chunks that are never copied when the store grows (tens of
/// millions of aggregates), plus one int per patient and type for the newest day. Each patient's days of a type form
/// a chain sorted newest first, so a reading of today (the usual case) finds its aggregate at the head and a late
/// reading walks back only as far as its day. Counting scans the chunks linearly (cache-friendly) and skips chunks
/// whose days all lie outside the window: live data arrives roughly in time order, so old chunks hold old days.
/// </para>
/// </summary>
internal sealed class TelemetryDays
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly TypeDays[] _types = [.. TelemetryTypes.All.Select(_ => new TypeDays())];

    /// <summary>
    /// One (patient, type, day). Doubles first keeps it at 40 bytes; min and max stay doubles so that a bound such as
    /// <c>gt 36.6</c> compares the reading's exact value (a float would round it).
    /// </summary>
    internal struct Aggregate
    {
        public double Sum;
        public double Min;
        public double Max;
        public int Patient;
        public int Day;
        public int Count;

        /// <summary>1 + index of this patient's next older day of the type; 0 at the end of the chain.</summary>
        public int Next;
    }

    /// <summary>Day aggregates held, over every type.</summary>
    public long Count => _types.Sum(t => (long)t.Count);

    /// <summary>Bytes the aggregates and chain heads occupy (for the benchmark's report).</summary>
    public long Bytes => _types.Sum(t => ((long)t.Chunks.Count * ChunkSize * 40) + ((long)t.Heads.Length * sizeof(int)));

    /// <summary>Folds readings into the patient's aggregate of that type and day, creating it when new.</summary>
    public void Add(int patient, TelemetryDayDelta delta)
    {
        var days = _types[delta.Type.Index];
        days.EnsurePatient(patient);
        ref var link = ref days.Heads[patient];
        while (link != 0)
        {
            ref var day = ref days.At(link - 1);
            if (day.Day == delta.Day)
            {
                day.Count += delta.Count;
                day.Sum += delta.Sum;
                day.Min = Math.Min(day.Min, delta.Min);
                day.Max = Math.Max(day.Max, delta.Max);
                return;
            }

            if (day.Day < delta.Day)
            {
                break;
            }

            link = ref day.Next;
        }

        // Taken before Append: the new aggregate may open a chunk, but chunks never move, so `link` stays valid.
        var next = link;
        link = days.Append(new Aggregate
        {
            Sum = delta.Sum, Min = delta.Min, Max = delta.Max, Patient = patient, Day = delta.Day, Count = delta.Count, Next = next,
        }) + 1;
    }

    /// <summary>
    /// The chunks of <paramref name="type"/> that may hold days in [<paramref name="fromDay"/>, <paramref name="toDay"/>];
    /// their aggregates outside the range are the caller's to skip.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<Aggregate>> Chunks(TelemetryType type, int fromDay, int toDay)
    {
        ArgumentNullException.ThrowIfNull(type);
        var days = _types[type.Index];
        for (var c = 0; c < days.Chunks.Count; c++)
        {
            var (first, last) = days.ChunkDays[c];
            if (last >= fromDay && first <= toDay)
            {
                var length = c == days.Chunks.Count - 1 ? days.Count - (c << ChunkBits) : ChunkSize;
                yield return new ReadOnlyMemory<Aggregate>(days.Chunks[c], 0, length);
            }
        }
    }

    /// <summary>Every day aggregate of one patient: by type (table order), then day, oldest first.</summary>
    public List<TelemetryDay> Of(int patient)
    {
        var result = new List<TelemetryDay>();
        foreach (var type in TelemetryTypes.All)
        {
            var days = _types[type.Index];
            var start = result.Count;
            for (var link = patient < days.Heads.Length ? days.Heads[patient] : 0; link != 0;)
            {
                ref var day = ref days.At(link - 1);
                result.Add(new TelemetryDay(type.Name, type.Loinc, DateOnly.FromDayNumber(day.Day), day.Count, day.Min, day.Max,
                    day.Sum / day.Count, type.Unit));
                link = day.Next;
            }

            result.Reverse(start, result.Count - start);
        }

        return result;
    }

    private sealed class TypeDays
    {
        public List<Aggregate[]> Chunks { get; } = [];

        /// <summary>Lowest and highest day per chunk, so a window can skip whole chunks.</summary>
        public List<(int First, int Last)> ChunkDays { get; } = [];

        public int Count { get; private set; }

        public int[] Heads { get; private set; } = [];

        public ref Aggregate At(int index) => ref Chunks[index >> ChunkBits][index & (ChunkSize - 1)];

        public void EnsurePatient(int patient)
        {
            if (patient >= Heads.Length)
            {
                var heads = Heads;
                Array.Resize(ref heads, Math.Max(patient + 1, Math.Max(1024, Heads.Length * 2)));
                Heads = heads;
            }
        }

        public int Append(Aggregate aggregate)
        {
            if (Count == int.MaxValue)
            {
                throw new InvalidOperationException("The telemetry day index of one type is full.");
            }

            var chunk = Count >> ChunkBits;
            if (chunk == Chunks.Count)
            {
                Chunks.Add(new Aggregate[ChunkSize]);
                ChunkDays.Add((aggregate.Day, aggregate.Day));
            }

            Chunks[chunk][Count & (ChunkSize - 1)] = aggregate;
            var (first, last) = ChunkDays[chunk];
            ChunkDays[chunk] = (Math.Min(first, aggregate.Day), Math.Max(last, aggregate.Day));
            return Count++;
        }
    }
}
