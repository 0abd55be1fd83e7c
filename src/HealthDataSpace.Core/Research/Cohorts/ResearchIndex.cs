namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>
/// The in-memory fact index cohort counts run on: patients by ordinal (birth date, gender) and, per code, the facts
/// (patient, time, value) of conditions, observations and medications, and the patients' telemetry as day aggregates
/// (<see cref="TelemetryDays"/>). It holds no names, identifiers or text; patient ids stay inside it (consent needs
/// them) and never leave through a count.
/// <para>
/// Each stored resource version occupies a slot; a newer version or a deletion retires the old slot, whose facts are
/// then skipped. Writers take the write lock briefly; counts take the read lock.
/// </para>
/// </summary>
internal sealed class ResearchIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, int> _patientOrdinals = new(StringComparer.Ordinal);
    private readonly List<string> _patientIds = [];
    private readonly List<long> _birthTicks = [];
    private readonly List<string?> _genders = [];
    private readonly List<bool> _present = [];
    private readonly Dictionary<string, List<Fact>> _byCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _systemsByBareCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Slot, long Version)> _slots = new(StringComparer.Ordinal);
    private readonly List<bool> _slotAlive = [];
    private readonly TelemetryDays _telemetry = new();

    // Field order keeps the struct at 24 bytes (two 8-byte fields first): it is the bulk of the index's memory.
    internal readonly record struct Fact(long Ticks, double Value, int Patient, int Slot);

    /// <summary>Indexes one stored resource version (null JSON: a deletion). Older versions than the one held are ignored.</summary>
    public void Apply(string type, string id, long version, string? json)
    {
        var facts = json is null ? null : ResearchFacts.From(type, json);
        Apply(type, id, version, facts, deleted: json is null);
    }

    internal void Apply(string type, string id, long version, ResourceFacts? facts, bool deleted)
    {
        var key = $"{type}/{id}";
        _lock.EnterWriteLock();
        try
        {
            if (_slots.TryGetValue(key, out var held))
            {
                if (held.Version >= version)
                {
                    return;
                }

                _slotAlive[held.Slot] = false;
            }

            var slot = _slotAlive.Count;
            _slotAlive.Add(true);
            _slots[key] = (slot, version);
            if (type == "Patient")
            {
                var ordinal = Ordinal(id);
                _present[ordinal] = !deleted;
                _birthTicks[ordinal] = facts?.BirthTicks ?? 0;
                _genders[ordinal] = facts?.Gender;
                return;
            }

            if (deleted || facts?.PatientId is not { } patientId)
            {
                return;
            }

            var patient = Ordinal(patientId);
            var group = GroupOf(type);
            foreach (var fact in facts.Facts)
            {
                AddFact(group, fact.Code, new Fact(fact.Ticks, fact.Value, patient, slot));
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Adds a patient and facts without per-resource slots (they can never be replaced): for the synthetic population
    /// of the benchmarks, where 50 million resource keys would measure the dictionary rather than the counts.
    /// </summary>
    internal void AddSynthetic(string patientId, string? gender, long birthTicks, IEnumerable<(string ResourceType, CodedFact Fact)> facts)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_slots.Count > 0)
            {
                throw new InvalidOperationException("Synthetic patients go into an index that holds no stored resources.");
            }

            if (_slotAlive.Count == 0)
            {
                _slotAlive.Add(true);
            }

            var patient = Ordinal(patientId);
            _present[patient] = true;
            _genders[patient] = gender;
            _birthTicks[patient] = birthTicks;
            foreach (var (type, fact) in facts)
            {
                AddFact(GroupOf(type), fact.Code, new Fact(fact.Ticks, fact.Value, patient, 0));
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Folds readings into the patients' telemetry day aggregates (<see cref="TelemetryDays"/>). A patient not indexed
    /// yet gets an ordinal now and counts once its Patient resource arrives, like its other facts.
    /// </summary>
    public void AddTelemetry(IReadOnlyCollection<TelemetryDayDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        _lock.EnterWriteLock();
        try
        {
            foreach (var delta in deltas)
            {
                _telemetry.Add(Ordinal(delta.PatientId), delta);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// The telemetry day aggregates of one patient (by type, then day, oldest first; empty for an unknown patient): for
    /// dataset exports, which check consent themselves.
    /// </summary>
    public IReadOnlyList<TelemetryDay> DaysOf(string patientId)
    {
        _lock.EnterReadLock();
        try
        {
            return _patientOrdinals.TryGetValue(patientId, out var patient) ? _telemetry.Of(patient) : [];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Whether this version (or a newer one) is indexed already: lets a poll skip parsing it.</summary>
    public bool Holds(string type, string id, long version)
    {
        _lock.EnterReadLock();
        try
        {
            return _slots.TryGetValue($"{type}/{id}", out var held) && held.Version >= version;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Runs <paramref name="read"/> under the read lock with a consistent view of the index.</summary>
    public T Read<T>(Func<View, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _lock.EnterReadLock();
        try
        {
            return read(new View(this));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private int Ordinal(string patientId)
    {
        if (!_patientOrdinals.TryGetValue(patientId, out var ordinal))
        {
            ordinal = _patientIds.Count;
            _patientOrdinals[patientId] = ordinal;
            _patientIds.Add(patientId);
            _birthTicks.Add(0);
            _genders.Add(null);
            _present.Add(false);
        }

        return ordinal;
    }

    /// <summary>
    /// Which criterion may read a fact: codes are shared between resource types (a SNOMED code can be a Condition's or
    /// an Observation's), and a criterion must read only the types the permit and the consents were checked for.
    /// </summary>
    public static string GroupOf(string resourceType) => resourceType switch
    {
        "MedicationRequest" or "MedicationStatement" => "Medication",
        _ => resourceType,
    };

    private void AddFact(string group, string code, Fact fact)
    {
        var key = group + "\n" + code;
        if (!_byCode.TryGetValue(key, out var list))
        {
            _byCode[key] = list = [];
            var bar = code.IndexOf('|', StringComparison.Ordinal);
            var bare = group + "\n" + (bar < 0 ? code : code[(bar + 1)..]);
            if (!_systemsByBareCode.TryGetValue(bare, out var keys))
            {
                _systemsByBareCode[bare] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(key);
        }

        list.Add(fact);
    }

    /// <summary>Read access for cohort evaluation; valid only inside <see cref="Read{T}"/>.</summary>
    internal readonly struct View(ResearchIndex index)
    {
        public int PatientCount => index._patientIds.Count;

        public string PatientId(int ordinal) => index._patientIds[ordinal];

        public bool IsPresent(int ordinal) => index._present[ordinal];

        public long BirthTicks(int ordinal) => index._birthTicks[ordinal];

        public string? Gender(int ordinal) => index._genders[ordinal];

        /// <summary>
        /// The fact lists of a code in one resource-type group (<see cref="GroupOf"/>), given as <c>system|code</c>, or of
        /// every system when bare. Facts of retired slots are
        /// still in them: check <see cref="IsAlive"/>. (Lists, not an iterator: counts walk millions of facts.)
        /// </summary>
        public IEnumerable<List<Fact>> FactLists(string group, string code)
        {
            if (code.Contains('|', StringComparison.Ordinal))
            {
                return index._byCode.TryGetValue(group + "\n" + code, out var one) ? [one] : [];
            }

            var byCode = index._byCode;
            return index._systemsByBareCode.TryGetValue(group + "\n" + code, out var keys)
                ? keys.Select(k => byCode[k])
                : [];
        }

        public bool IsAlive(in Fact fact) => index._slotAlive[fact.Slot];

        /// <summary>The telemetry day aggregates, by patient ordinal.</summary>
        public TelemetryDays Telemetry => index._telemetry;

        public PatientSet Present()
        {
            var set = new PatientSet(PatientCount);
            for (var i = 0; i < PatientCount; i++)
            {
                if (index._present[i])
                {
                    set.Add(i);
                }
            }

            return set;
        }
    }
}
