using System.Collections.Frozen;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// Which consent scopes (<c>http://terminology.hl7.org/CodeSystem/consentscope</c>) answer a purpose of use.
/// <list type="bullet">
/// <item>Research purposes (HRESCH and its relatives below) are answered by <c>research</c> consents.</item>
/// <item>TREAT (and ETREAT) by <c>treatment</c> consents.</item>
/// <item>Every purpose falls back to <c>patient-privacy</c> consents, but only when the patient has no consent at all
/// in the purpose's own scope: IHE PCF writes research and treatment permits as patient-privacy consents with a
/// <c>purpose</c>, so those must count; yet a research-scope consent that does not cover a request must never be
/// overridden by a broad privacy consent.</item>
/// </list>
/// </summary>
public static class ConsentPurposes
{
    public const string ScopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope";
    public const string ActReasonSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public const string PurposeOfUseSystem = "http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse";

    public const string Research = "research";
    public const string Treatment = "treatment";
    public const string PatientPrivacy = "patient-privacy";

    /// <summary>Research purposes of v3 PurposeOfUse: HRESCH and its specialisations.</summary>
    public static readonly FrozenSet<string> ResearchPurposes = FrozenSet.ToFrozenSet(
        ["HRESCH", "BIORCH", "CLINTRCH", "CLINTRCHNPC", "CLINTRCHPC", "PRECLINTRCH", "DSRCH", "POARCH", "TRANSRCH"],
        StringComparer.Ordinal);

    private static readonly string[] ResearchChain = [Research, PatientPrivacy];
    private static readonly string[] TreatmentChain = [Treatment, PatientPrivacy];
    private static readonly string[] PrivacyChain = [PatientPrivacy];

    /// <summary>The scopes to consult for a bare purpose code, own scope first.</summary>
    public static IReadOnlyList<string> ScopesFor(string purpose) => Chain(purpose);

    internal static string[] Chain(string purpose) =>
        ResearchPurposes.Contains(purpose) ? ResearchChain
        : purpose is "TREAT" or "ETREAT" ? TreatmentChain
        : PrivacyChain;
}
