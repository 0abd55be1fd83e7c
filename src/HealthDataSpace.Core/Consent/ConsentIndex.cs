using System.Collections.Concurrent;
using HealthDataSpace.Core.Fhir;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// The in-memory consent decision index of the gateway: every Consent write goes through <see cref="Upsert"/> or
/// <see cref="Remove"/>, every use of data through <see cref="Evaluate"/>.
/// <para>
/// Semantics: for the request's purpose, the scopes of <see cref="ConsentPurposes"/> are consulted, own scope first.
/// In a scope, the newest consent of the patient wins (by <c>dateTime</c>, then by write order; draft and proposed
/// consents are ignored). If that consent is active, its provisions decide (see <see cref="CompiledConsent"/>); if it
/// is inactive, rejected or entered-in-error, it has revoked the older ones and nothing is left to decide in that
/// scope. The next scope (patient-privacy) is consulted only when the patient has no consent at all in the purpose's
/// own scope. When no consent decides, the regional default of <see cref="ConsentDefaults"/> does: opt-in denies,
/// opt-out permits.
/// </para>
/// <para>
/// Thread safety: writes are serialised by a lock and publish an immutable per-patient snapshot; reads are lock-free.
/// A write is visible to every <see cref="Evaluate"/> that starts after it returned.
/// </para>
/// </summary>
public sealed class ConsentIndex
{
    private readonly ConsentDefaults _defaults;
    private readonly TimeProvider _time;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<string, PatientConsents> _byPatient = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledConsent> _byId = new(StringComparer.Ordinal);
    private readonly CompilePool _pool = new();
    private long _sequence;
    private long _generation;

    public ConsentIndex(ConsentDefaults defaults, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        _defaults = defaults;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Changes whenever a consent is indexed or removed: callers caching decisions (a permit's consenting population)
    /// recompute when it moved.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Number of consents held (every status).</summary>
    public int Count
    {
        get
        {
            lock (_writeLock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>
    /// Validates, compiles and indexes a consent version, replacing older versions of the same id. A version not newer
    /// than the one held is ignored (false). Throws a 422 <see cref="FhirException"/> listing the problems of an
    /// invalid consent.
    /// </summary>
    public bool Upsert(string id, long version, Hl7.Fhir.Model.Consent consent)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(consent);
        ConsentValidator.EnsureEnforceable(consent);

        lock (_writeLock)
        {
            // The version held (or a newer one) is not indexed again: re-applying it would move it in the
            // "newest wins" write order and let a tie between equally dated consents flip.
            if (_byId.TryGetValue(id, out var held) && held.Version >= version)
            {
                return false;
            }

            var compiled = new CompiledConsent(id, version, consent, ++_sequence, _pool);
            if (held is not null)
            {
                Publish(held.Patient, without: id, with: null);
            }

            _byId[id] = compiled;
            Publish(compiled.Patient, without: id, with: compiled);
            Interlocked.Increment(ref _generation);
            return true;
        }
    }

    /// <summary>Forgets a consent (deleted); false when it was not indexed.</summary>
    public bool Remove(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_writeLock)
        {
            if (!_byId.Remove(id, out var held))
            {
                return false;
            }

            Publish(held.Patient, without: id, with: null);
            Interlocked.Increment(ref _generation);
            return true;
        }
    }

    /// <summary>Decides one request. Throws <see cref="ArgumentException"/> for a malformed request.</summary>
    public ConsentDecision Evaluate(ConsentDecisionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ConsentValidator.IsPatientReference(request.Patient))
        {
            throw new ArgumentException("The patient must be given as Patient/{id}.", nameof(request));
        }

        if (string.IsNullOrEmpty(request.Purpose) || string.IsNullOrEmpty(request.ResourceType))
        {
            throw new ArgumentException("A purpose and a resource type are required.", nameof(request));
        }

        var bar = request.Purpose.IndexOf('|', StringComparison.Ordinal);
        var purposeCode = bar < 0 ? request.Purpose : request.Purpose[(bar + 1)..];
        var mode = _defaults.For(purposeCode);
        if (!_byPatient.TryGetValue(request.Patient, out var consents))
        {
            return Defaults.For(mode, DefaultCause.NoConsent);
        }

        var context = new DecisionContext(
            (request.At ?? _time.GetUtcNow()).UtcTicks,
            request.Actor,
            request.Purpose,
            bar >= 0,
            request.ResourceType,
            request.Code,
            request.SecurityLabels,
            request.Date?.UtcTicks,
            request.Resource);
        foreach (var scope in ConsentPurposes.Chain(purposeCode))
        {
            var newest = consents.NewestFor(scope);
            if (newest is null)
            {
                continue;
            }

            if (!newest.IsActive)
            {
                return Defaults.For(mode, DefaultCause.Revoked);
            }

            return newest.Decide(context) ?? Defaults.For(mode, DefaultCause.NotCovered);
        }

        return Defaults.For(mode, DefaultCause.NoConsent);
    }

    /// <summary>Rebuilds one patient's snapshot. Caller holds the write lock.</summary>
    private void Publish(string patient, string without, CompiledConsent? with)
    {
        var all = new List<CompiledConsent>();
        if (_byPatient.TryGetValue(patient, out var current))
        {
            foreach (var consent in current.All)
            {
                if (!string.Equals(consent.Id, without, StringComparison.Ordinal))
                {
                    all.Add(consent);
                }
            }
        }

        if (with is not null)
        {
            all.Add(with);
        }

        if (all.Count == 0)
        {
            _byPatient.TryRemove(patient, out _);
        }
        else
        {
            _byPatient[patient] = new PatientConsents([.. all]);
        }
    }

    /// <summary>
    /// One patient's consents and the newest counting consent of each scope the engine consults (other scope codes,
    /// such as adr, never decide a data use). Immutable once published.
    /// </summary>
    private sealed class PatientConsents
    {
        private readonly CompiledConsent? _research;
        private readonly CompiledConsent? _treatment;
        private readonly CompiledConsent? _privacy;

        public PatientConsents(CompiledConsent[] all)
        {
            All = all;
            foreach (var consent in all)
            {
                if (!consent.Counts)
                {
                    continue;
                }

                foreach (var scope in consent.Scopes)
                {
                    switch (scope)
                    {
                        case ConsentPurposes.Research: Keep(ref _research, consent); break;
                        case ConsentPurposes.Treatment: Keep(ref _treatment, consent); break;
                        case ConsentPurposes.PatientPrivacy: Keep(ref _privacy, consent); break;
                    }
                }
            }
        }

        public CompiledConsent[] All { get; }

        public CompiledConsent? NewestFor(string scope) => scope switch
        {
            ConsentPurposes.Research => _research,
            ConsentPurposes.Treatment => _treatment,
            ConsentPurposes.PatientPrivacy => _privacy,
            _ => null,
        };

        private static void Keep(ref CompiledConsent? held, CompiledConsent candidate)
        {
            if (held is null || candidate.IsNewerThan(held))
            {
                held = candidate;
            }
        }
    }

    private enum DefaultCause
    {
        NoConsent,
        Revoked,
        NotCovered,
    }

    /// <summary>The regional default's answers, built once.</summary>
    private static class Defaults
    {
        private static readonly ConsentDecision[] Decisions =
        [
            Make(ConsentDefault.OptIn, "no consent"),
            Make(ConsentDefault.OptIn, "the newest consent for the scope is not active (revoked)"),
            Make(ConsentDefault.OptIn, "the consent does not cover this request"),
            Make(ConsentDefault.OptOut, "no consent"),
            Make(ConsentDefault.OptOut, "the newest consent for the scope is not active (revoked)"),
            Make(ConsentDefault.OptOut, "the consent does not cover this request"),
        ];

        public static ConsentDecision For(ConsentDefault mode, DefaultCause cause) =>
            Decisions[(mode == ConsentDefault.OptIn ? 0 : 3) + (int)cause];

        private static ConsentDecision Make(ConsentDefault mode, string cause) => mode == ConsentDefault.OptIn
            ? new ConsentDecision(false, null, null, $"{cause}; regional default opt-in")
            : new ConsentDecision(true, null, null, $"{cause}; regional default opt-out");
    }
}
