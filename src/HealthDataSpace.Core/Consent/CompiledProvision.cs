using System.Globalization;
using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// One provision compiled to hash sets and tick ranges. Trees carry no consent identity, so consents written from
/// the same template share one (see <see cref="CompilePool"/>); each consent prebuilds its answer per node, so a
/// decision allocates nothing.
/// <para>
/// Matching: a provision applies when the request meets every criterion the provision has. A criterion the request
/// cannot be checked against (no actor, code, date or resource given; a <c>data</c> meaning other than
/// <c>instance</c>, which needs the resource's content) is unknown: a permit then does not apply (nothing proves it
/// covers the request) and a deny does (nothing proves it does not): unknowns fail closed. Missing security labels
/// mean "unlabelled", which is known. <c>action</c> is not a criterion: every question is about using data.
/// </para>
/// </summary>
internal sealed class CompiledProvision
{
    private const string ResourceTypesSystem = "http://hl7.org/fhir/resource-types";

    private readonly long _periodLow = FhirDateRange.MinTicks;
    private readonly long _periodHigh = FhirDateRange.MaxTicks;
    private readonly bool _hasDataPeriod;
    private readonly long _dataLow;
    private readonly long _dataHigh;
    private readonly HashSet<string>? _actors;
    private readonly HashSet<string>? _purposeFull;
    private readonly HashSet<string>? _purposeBare;
    private readonly HashSet<string>? _classes;
    private readonly HashSet<string>? _codeFull;
    private readonly HashSet<string>? _codeBare;
    private readonly HashSet<string>? _labelFull;
    private readonly HashSet<string>? _labelBare;
    private readonly HashSet<string>? _dataInstances;
    private readonly bool _dataUncheckable;

    /// <param name="source">The provision; null for a consent without one (a root with no criteria).</param>
    /// <param name="permit">Its type (for the root: as <see cref="CompiledConsent"/> derives it).</param>
    /// <param name="path">Its path: <c>provision</c>, <c>provision.provision[0]</c>, ...</param>
    /// <param name="nodes">The tree's nodes in pre-order; this one is added and gets its <see cref="Ordinal"/>.</param>
    /// <param name="pool">Shares identical sets.</param>
    public CompiledProvision(Hl7.Fhir.Model.Consent.provisionComponent? source, bool permit, string path, List<CompiledProvision> nodes, CompilePool pool)
    {
        Permit = permit;
        Path = path;
        Ordinal = nodes.Count;
        nodes.Add(this);
        var nested = path.Length > "provision".Length;
        Reason = (permit, nested) switch
            {
                (true, false) => "permitted by the consent's base provision",
                (false, false) => "denied by the consent's base provision",
                (true, true) => "permitted by a nested provision (an exception to its parent)",
                (false, true) => "denied by a nested provision (an exception to its parent)",
            };
        if (source is null)
        {
            Children = [];
            return;
        }

        if (source.Period is { } period)
        {
            var span = Span(period);
            (_periodLow, _periodHigh) = (span.Low, span.High);
        }

        if (source.DataPeriod is { } dataPeriod)
        {
            _hasDataPeriod = true;
            var span = Span(dataPeriod);
            (_dataLow, _dataHigh) = (span.Low, span.High);
        }

        if (source.Actor.Count > 0)
        {
            _actors = new HashSet<string>(StringComparer.Ordinal);
            foreach (var actor in source.Actor)
            {
                if (actor.Reference?.Reference is { Length: > 0 } reference)
                {
                    _actors.Add(reference);
                }
            }

            _actors = pool.Share(_actors);
        }

        if (source.Purpose.Count > 0)
        {
            (_purposeFull, _purposeBare) = CodingSets(pool, source.Purpose,
                system => system is null or ConsentPurposes.ActReasonSystem or ConsentPurposes.PurposeOfUseSystem);
        }

        if (source.Class.Count > 0)
        {
            _classes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var coding in source.Class)
            {
                // Only resource-type classes can match a resource type; MIME-type or profile classes never do.
                if (coding.Code is { Length: > 0 } code && coding.System is null or ResourceTypesSystem)
                {
                    _classes.Add(code);
                }
            }

            _classes = pool.Share(_classes);
        }

        if (source.Code.Count > 0)
        {
            (_codeFull, _codeBare) = CodingSets(pool, source.Code.SelectMany(c => c.Coding), _ => true);
        }

        if (source.SecurityLabel.Count > 0)
        {
            (_labelFull, _labelBare) = CodingSets(pool, source.SecurityLabel, _ => true);
        }

        if (source.Data.Count > 0)
        {
            _dataInstances = new HashSet<string>(StringComparer.Ordinal);
            foreach (var data in source.Data)
            {
                if (data.Meaning == Hl7.Fhir.Model.Consent.ConsentDataMeaning.Instance && data.Reference?.Reference is { Length: > 0 } reference)
                {
                    _dataInstances.Add(reference);
                }
                else
                {
                    _dataUncheckable = true;
                }
            }

            _dataInstances = pool.Share(_dataInstances);
        }

        var children = new CompiledProvision[source.Provision.Count];
        for (var i = 0; i < children.Length; i++)
        {
            var child = source.Provision[i];
            children[i] = new CompiledProvision(child, child.Type == Hl7.Fhir.Model.Consent.ConsentProvisionType.Permit,
                string.Create(CultureInfo.InvariantCulture, $"{path}.provision[{i}]"), nodes, pool);
        }

        Children = children;
    }

    public bool Permit { get; }

    public string Path { get; }

    /// <summary>Position in its tree (pre-order): indexes the owning consent's prebuilt decisions.</summary>
    public int Ordinal { get; }

    public string Reason { get; }

    public CompiledProvision[] Children { get; }

    /// <summary>The deepest applicable provision under this one (this one itself when no child applies).</summary>
    public CompiledProvision Refine(in DecisionContext context)
    {
        CompiledProvision? permit = null;
        foreach (var child in Children)
        {
            if (!child.Applies(context))
            {
                continue;
            }

            var refined = child.Refine(context);
            if (!refined.Permit)
            {
                return refined; // among matching siblings, deny wins
            }

            permit ??= refined;
        }

        return permit ?? this;
    }

    public bool Applies(in DecisionContext context)
    {
        if (context.At < _periodLow || context.At >= _periodHigh)
        {
            return false;
        }

        var unknown = false;
        if (_actors is not null)
        {
            if (context.Actor is null)
            {
                unknown = true;
            }
            else if (!_actors.Contains(context.Actor))
            {
                return false;
            }
        }

        if (_purposeFull is not null && !Contains(_purposeFull, _purposeBare!, context.Purpose, context.PurposeIsFull))
        {
            return false;
        }

        if (_classes is not null && !_classes.Contains(context.ResourceType))
        {
            return false;
        }

        if (_codeFull is not null)
        {
            if (context.Code is null)
            {
                unknown = true;
            }
            else if (!Contains(_codeFull, _codeBare!, context.Code, context.Code.Contains('|', StringComparison.Ordinal)))
            {
                return false;
            }
        }

        if (_labelFull is not null && !AnyLabel(context.SecurityLabels))
        {
            return false;
        }

        if (_hasDataPeriod)
        {
            if (context.Date is not { } date)
            {
                unknown = true;
            }
            else if (date < _dataLow || date >= _dataHigh)
            {
                return false;
            }
        }

        if (_dataInstances is not null)
        {
            if (context.Resource is not null && _dataInstances.Contains(context.Resource))
            {
                // matches an instance
            }
            else if (_dataUncheckable || context.Resource is null)
            {
                unknown = true;
            }
            else
            {
                return false;
            }
        }

        return !unknown || !Permit;
    }

    private bool AnyLabel(IReadOnlyList<string>? labels)
    {
        if (labels is null)
        {
            return false;
        }

        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (Contains(_labelFull!, _labelBare!, label, label.Contains('|', StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(HashSet<string> full, HashSet<string> bare, string value, bool isFull) =>
        isFull ? full.Contains(value) : bare.Contains(value);

    /// <summary>
    /// <c>system|code</c> for codings with a system; bare codes for codings without one and for those whose system
    /// <paramref name="bareMatches"/> accepts (a bare purpose "HRESCH" means the v3 code, not some other system's).
    /// </summary>
    private static (HashSet<string> Full, HashSet<string> Bare) CodingSets(CompilePool pool, IEnumerable<Coding> codings, Func<string?, bool> bareMatches)
    {
        var full = new HashSet<string>(StringComparer.Ordinal);
        var bare = new HashSet<string>(StringComparer.Ordinal);
        foreach (var coding in codings)
        {
            if (string.IsNullOrEmpty(coding.Code))
            {
                continue;
            }

            if (coding.System is { Length: > 0 } system)
            {
                full.Add(system + "|" + coding.Code);
            }

            if (bareMatches(coding.System))
            {
                bare.Add(coding.Code);
            }
        }

        return (pool.Share(full), pool.Share(bare));
    }

    private static FhirDateRange Span(Period period)
    {
        FhirDateRange? start = FhirDateRange.TryParse(period.Start, out var s) ? s : null;
        FhirDateRange? end = FhirDateRange.TryParse(period.End, out var e) ? e : null;
        return FhirDateRange.Span(start, end);
    }
}

/// <summary>A request with its times as UTC ticks and its purpose classified once.</summary>
internal readonly record struct DecisionContext(
    long At,
    string? Actor,
    string Purpose,
    bool PurposeIsFull,
    string ResourceType,
    string? Code,
    IReadOnlyList<string>? SecurityLabels,
    long? Date,
    string? Resource);
