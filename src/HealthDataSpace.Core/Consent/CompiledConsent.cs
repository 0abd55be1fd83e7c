using System.Globalization;
using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;
using ConsentState = Hl7.Fhir.Model.Consent.ConsentState;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// A validated Consent compiled once for fast decisions.
/// <list type="bullet">
/// <item>The root provision is the base rule. Its type is <c>provision.type</c>; an untyped root (R4's own examples)
/// takes it from <c>policyRule</c>: OPTOUT/OPTOUTE deny, anything else permits.</item>
/// <item>A consent without a provision behaves as a root with no criteria, typed the same way: "permit (or, under an
/// opt-out policyRule, deny) everything in its scope".</item>
/// <item>Nested provisions are exceptions to their parent: a matching nested provision overrides its parent; among
/// matching siblings deny wins; the deepest matching provision decides and is reported.</item>
/// </list>
/// </summary>
internal sealed class CompiledConsent
{
    private static readonly HashSet<string> DenyPolicies = new(["OPTOUT", "OPTOUTE"], StringComparer.Ordinal);

    /// <summary>This consent's answer for each node of its (possibly shared) tree, built once.</summary>
    private readonly ConsentDecision[] _decisions;

    public CompiledConsent(string id, long version, Hl7.Fhir.Model.Consent consent, long sequence, CompilePool pool)
    {
        Id = id;
        Version = version;
        Sequence = sequence;
        Reference = string.Create(CultureInfo.InvariantCulture, $"Consent/{id}/_history/{version}");
        Patient = consent.Patient?.Reference ?? string.Empty;
        Status = consent.Status;
        Scopes = consent.Scope?.Coding
            .Where(c => c.System is null or ConsentPurposes.ScopeSystem && !string.IsNullOrEmpty(c.Code))
            .Select(c => c.Code!).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        DateTimeTicks = FhirDateRange.TryParse(consent.DateTime, out var when) ? when.Low : FhirDateRange.MinTicks;
        var rootPermit = consent.Provision?.Type is { } type
            ? type == Hl7.Fhir.Model.Consent.ConsentProvisionType.Permit
            : consent.PolicyRule?.Coding.Exists(c => c.Code is not null && DenyPolicies.Contains(c.Code)) != true;
        var tree = pool.Tree(consent.Provision, rootPermit);
        Root = tree[0];
        _decisions = new ConsentDecision[tree.Length];
        foreach (var node in tree)
        {
            _decisions[node.Ordinal] = new ConsentDecision(node.Permit, Reference, node.Path, node.Reason);
        }
    }

    public string Id { get; }

    public long Version { get; }

    /// <summary>Order of writes into the index: breaks ties between consents with the same dateTime.</summary>
    public long Sequence { get; }

    /// <summary><c>Consent/{id}/_history/{version}</c>.</summary>
    public string Reference { get; }

    public string Patient { get; }

    public ConsentState? Status { get; }

    public string[] Scopes { get; }

    public long DateTimeTicks { get; }

    public CompiledProvision Root { get; }

    /// <summary>Only active consents decide.</summary>
    public bool IsActive => Status == ConsentState.Active;

    /// <summary>
    /// Draft and proposed consents are not yet in force: they neither decide nor revoke. Every other status takes part
    /// in "the newest consent for a scope wins" (inactive, rejected and entered-in-error then revoke).
    /// </summary>
    public bool Counts => Status is not (ConsentState.Draft or ConsentState.Proposed);

    /// <summary>The consent's answer, or null when its base provision does not apply to the request.</summary>
    public ConsentDecision? Decide(in DecisionContext context) =>
        Root.Applies(context) ? _decisions[Root.Refine(context).Ordinal] : null;

    /// <summary>True when this consent is newer than <paramref name="other"/>: later dateTime, then later write.</summary>
    public bool IsNewerThan(CompiledConsent other) =>
        DateTimeTicks != other.DateTimeTicks ? DateTimeTicks > other.DateTimeTicks : Sequence > other.Sequence;
}
