using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// The rules a parsed R4 Consent must meet before it is stored and enforced, beyond what the strict parser checks
/// (cardinality, codes, literals). Problems name the element path and never quote values.
/// <list type="bullet">
/// <item><c>status</c>, a <c>scope</c> with at least one coded coding, and <c>patient</c> as <c>Patient/{id}</c>.</item>
/// <item>R4 invariant ppc-1: <c>policy</c> or <c>policyRule</c> (ppc-2..5, a patient for each scope, follow from
/// the patient rule above).</item>
/// <item>Every <c>period</c> and <c>dataPeriod</c> in the provision tree has start ≤ end (per-1), with parseable dates.</item>
/// <item>Every nested provision has a <c>type</c>: R4 defines <c>provision.type</c> as "required in all nested rules";
/// an untyped exception would leave the engine to guess whether it permits or denies.</item>
/// <item>Every <c>actor</c> has a literal reference (the engine matches recipients by reference).</item>
/// <item>Every <c>data</c> entry has a literal reference.</item>
/// </list>
/// The root provision may carry a type (IHE PCF does) or not (R4's own examples): untyped, the engine takes it
/// from <c>policyRule</c> (see <see cref="CompiledConsent"/>).
/// </summary>
public static class ConsentValidator
{
    public static IReadOnlyList<string> Validate(Hl7.Fhir.Model.Consent consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var problems = new List<string>();
        if (consent.Status is null)
        {
            problems.Add("Consent.status is required.");
        }

        if (consent.Scope?.Coding is not { Count: > 0 } scope || scope.Exists(c => string.IsNullOrEmpty(c.Code)))
        {
            problems.Add("Consent.scope needs at least one coding, each with a code.");
        }

        if (!IsPatientReference(consent.Patient?.Reference))
        {
            problems.Add("Consent.patient is required and must reference a patient as Patient/{id}.");
        }

        if (consent.Policy.Count == 0 && consent.PolicyRule is null)
        {
            problems.Add("Consent.policy or Consent.policyRule is required (R4 invariant ppc-1).");
        }

        if (consent.DateTime is not null && !FhirDateRange.TryParse(consent.DateTime, out _))
        {
            problems.Add("Consent.dateTime is not a valid FHIR dateTime.");
        }

        if (consent.Provision is not null)
        {
            CheckProvision(consent.Provision, "Consent.provision", nested: false, problems);
        }

        return problems;
    }

    /// <summary><c>Patient/{id}</c> with a FHIR id (1–64 of A–Z, a–z, 0–9, '-', '.'). Hand-written: it runs per decision.</summary>
    /// <summary>Throws a 422 <see cref="FhirException"/> listing the problems when the consent cannot be enforced.</summary>
    public static void EnsureEnforceable(Hl7.Fhir.Model.Consent consent)
    {
        var problems = Validate(consent);
        if (problems.Count > 0)
        {
            throw new FhirException(422, OperationOutcome.IssueType.Invariant,
                $"The Consent cannot be enforced ({problems.Count} problem(s)).")
            { Details = problems };
        }
    }

    internal static bool IsPatientReference(string? reference)
    {
        const string prefix = "Patient/";
        if (reference is null || reference.Length <= prefix.Length || reference.Length > prefix.Length + 64
            || !reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in reference.AsSpan(prefix.Length))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckProvision(Hl7.Fhir.Model.Consent.provisionComponent provision, string path, bool nested, List<string> problems)
    {
        if (nested && provision.Type is null)
        {
            problems.Add($"{path}.type is required: R4 requires a type (permit or deny) in every nested provision.");
        }

        CheckPeriod(provision.Period, $"{path}.period", problems);
        CheckPeriod(provision.DataPeriod, $"{path}.dataPeriod", problems);
        for (var i = 0; i < provision.Actor.Count; i++)
        {
            if (string.IsNullOrEmpty(provision.Actor[i].Reference?.Reference))
            {
                problems.Add($"{path}.actor[{i}].reference needs a literal reference ({{type}}/{{id}}).");
            }
        }

        for (var i = 0; i < provision.Data.Count; i++)
        {
            if (string.IsNullOrEmpty(provision.Data[i].Reference?.Reference))
            {
                problems.Add($"{path}.data[{i}].reference needs a literal reference ({{type}}/{{id}}).");
            }
        }

        for (var i = 0; i < provision.Provision.Count; i++)
        {
            CheckProvision(provision.Provision[i], $"{path}.provision[{i}]", nested: true, problems);
        }
    }

    private static void CheckPeriod(Period? period, string path, List<string> problems)
    {
        if (period is null)
        {
            return;
        }

        FhirDateRange start = default, end = default;
        var startOk = period.Start is null || FhirDateRange.TryParse(period.Start, out start);
        var endOk = period.End is null || FhirDateRange.TryParse(period.End, out end);
        if (!startOk)
        {
            problems.Add($"{path}.start is not a valid FHIR dateTime.");
        }

        if (!endOk)
        {
            problems.Add($"{path}.end is not a valid FHIR dateTime.");
        }

        // per-1: start ≤ end, compared at the precision each was given (2020 ≤ 2020-06 holds).
        if (startOk && endOk && period.Start is not null && period.End is not null && start.Low >= end.High)
        {
            problems.Add($"{path} starts after it ends (R4 invariant per-1: start ≤ end).");
        }
    }
}
