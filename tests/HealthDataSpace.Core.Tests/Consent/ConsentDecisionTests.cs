using HealthDataSpace.Core.Consent;

namespace HealthDataSpace.Core.Tests.Consent;

/// <summary>
/// The decision table: patient × purpose × actor × resource type × date (and labels, status, defaults). Each case
/// indexes its consents into a fresh index and asks one question at a fixed time.
/// </summary>
public sealed class ConsentDecisionTests
{
    private const string IhePatient = "Patient/ex-patient";
    private const string R4Patient = "Patient/f001";
    private const string V3 = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    private const string Confidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recorded2023 = new(2023, 5, 1, 8, 0, 0, TimeSpan.Zero);

    public sealed record DecisionCase(
        (string Id, Func<Hl7.Fhir.Model.Consent> Consent)[] Consents,
        ConsentDecisionRequest Request,
        bool Permit,
        string? Consent = null,
        string? Provision = null,
        ConsentDefault Default = ConsentDefault.OptIn);

    private static (string, Func<Hl7.Fhir.Model.Consent>) Composed(string id, string json) => (id, () => ConsentFixtures.Parse(json));

    private static (string, Func<Hl7.Fhir.Model.Consent>) Ihe(string name) =>
        (name, () => ConsentFixtures.Load(ConsentFixtures.IhePcf, $"Consent-{name}.json"));

    private static (string, Func<Hl7.Fhir.Model.Consent>) R4(string name) =>
        (name, () => ConsentFixtures.Load(ConsentFixtures.R4Spec, $"Consent-{name}.json"));

    private static ConsentDecisionRequest Research(
        string actor = "ResearchStudy/cardio", string type = "Observation", DateTimeOffset? date = null,
        string[]? labels = null, DateTimeOffset? at = null, string purpose = "HRESCH", string patient = "Patient/p1", bool noDate = false) =>
        new(patient, purpose, actor, type, null, labels, noDate ? null : date ?? Recorded2023, at ?? Now);

    private static ConsentDecisionRequest Ask(
        string patient, string purpose, string? actor = null, string type = "Observation", DateTimeOffset? date = null,
        string[]? labels = null, DateTimeOffset? at = null, string? resource = null) =>
        new(patient, purpose, actor, type, null, labels, date, at ?? Now, resource);

    private static readonly (string, Func<Hl7.Fhir.Model.Consent>) R1 = Composed("r1", ConsentFixtures.Research("Patient/p1"));
    private const string R1Ref = "Consent/r1/_history/1";
    private static readonly (string, Func<Hl7.Fhir.Model.Consent>) Mii = Composed("mii", ConsentFixtures.MiiBroadConsent("Patient/p1"));
    private const string MiiRef = "Consent/mii/_history/1";

    private static (string, Func<Hl7.Fhir.Model.Consent>) Directive(string id, bool opt, string date) =>
        (id, () => opt
            ? ConsentDirectives.OptIn("Patient/p1", "HRESCH", DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture))
            : ConsentDirectives.OptOut("Patient/p1", "HRESCH", DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture)));
    private static readonly string[] Psy = ["http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY"];

    private static readonly Dictionary<string, DecisionCase> Cases = new(StringComparer.Ordinal)
    {
        // Composed research consent: permit HRESCH for two studies, Observation/Condition, 2025–2027, data since 2015.
        ["research_cardio_observation_permit"] = new([R1], Research(), true, R1Ref, "provision"),
        ["research_cardio_condition_permit"] = new([R1], Research(type: "Condition"), true, R1Ref, "provision"),
        ["research_purpose_with_system_permit"] = new([R1], Research(purpose: $"{V3}|HRESCH"), true, R1Ref, "provision"),
        ["research_class_mismatch_optin_default_deny"] = new([R1], Research(type: "MedicationRequest"), false),
        ["research_class_mismatch_optout_default_permit"] = new([R1], Research(type: "MedicationRequest"), true, Default: ConsentDefault.OptOut),
        ["research_actor_mismatch_default_deny"] = new([R1], Research(actor: "ResearchStudy/other"), false),
        ["research_actor_organization_mismatch_default_deny"] = new([R1], Research(actor: "Organization/pharma"), false),
        ["research_actor_unknown_permit_does_not_apply"] = new([R1], Research() with { Actor = null }, false),
        ["research_psy_label_nested_deny"] = new([R1], Research(labels: Psy), false, R1Ref, "provision.provision[0]"),
        ["research_psy_label_bare_code_nested_deny"] = new([R1], Research(labels: ["PSY"]), false, R1Ref, "provision.provision[0]"),
        ["research_other_label_permit"] = new([R1], Research(labels: ["http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N"]), true, R1Ref, "provision"),
        ["research_psy_label_psych_study_permit_inside_deny"] = new([R1], Research(actor: "ResearchStudy/psych", labels: Psy), true, R1Ref, "provision.provision[0].provision[0]"),
        ["research_psy_label_2020_siblings_deny_wins"] = new([R1], Research(actor: "ResearchStudy/psych", labels: Psy, date: new DateTimeOffset(2020, 6, 1, 0, 0, 0, TimeSpan.Zero)), false, R1Ref, "provision.provision[1]"),
        ["research_data_recorded_2020_nested_deny"] = new([R1], Research(date: new DateTimeOffset(2020, 12, 31, 23, 0, 0, TimeSpan.Zero)), false, R1Ref, "provision.provision[1]"),
        ["research_data_recorded_2021_permit"] = new([R1], Research(date: new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero)), true, R1Ref, "provision"),
        ["research_data_before_dataPeriod_default_deny"] = new([R1], Research(date: new DateTimeOffset(2014, 6, 1, 0, 0, 0, TimeSpan.Zero)), false),
        ["research_data_date_unknown_permit_does_not_apply"] = new([R1], Research(noDate: true), false),
        ["research_expired_period_default_deny"] = new([R1], Research(at: new DateTimeOffset(2028, 1, 1, 0, 0, 1, TimeSpan.Zero)), false),
        ["research_last_day_of_period_permit"] = new([R1], Research(at: new DateTimeOffset(2027, 12, 31, 23, 59, 0, TimeSpan.Zero)), true, R1Ref, "provision"),
        ["research_not_yet_valid_default_deny"] = new([R1], Research(at: new DateTimeOffset(2024, 12, 31, 0, 0, 0, TimeSpan.Zero)), false),
        ["research_expired_optout_default_permit"] = new([R1], Research(at: new DateTimeOffset(2028, 6, 1, 0, 0, 0, TimeSpan.Zero)), true, Default: ConsentDefault.OptOut),
        ["research_consent_other_patient_default_deny"] = new([R1], Research(patient: "Patient/p2"), false),
        ["research_consent_treat_purpose_default_deny"] = new([R1], Research(purpose: "TREAT"), false),
        ["research_consent_treat_purpose_optout_permit"] = new([R1], Research(purpose: "TREAT"), true, Default: ConsentDefault.OptOut),

        // Composed MII broad consent: root deny 2020-09..2050-08; permits for clinical data recorded 2020-09..2025-08 and Specimen.
        ["mii_broad_observation_in_collection_window_permit"] = new([Mii], Research(actor: "Organization/any-recipient"), true, MiiRef, "provision.provision[0]"),
        ["mii_broad_specimen_permit"] = new([Mii], Research(type: "Specimen", noDate: true), true, MiiRef, "provision.provision[1]"),
        ["mii_broad_data_after_collection_window_root_deny"] = new([Mii], Research(date: new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero), at: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), false, MiiRef, "provision"),
        ["mii_broad_class_not_covered_root_deny"] = new([Mii], Research(type: "DocumentReference"), false, MiiRef, "provision"),
        ["mii_broad_other_purpose_root_deny_even_optout"] = new([Mii], Research(purpose: "CLINTRCH"), false, MiiRef, "provision", ConsentDefault.OptOut),
        ["mii_broad_after_validity_optout_default_permit"] = new([Mii], Research(at: new DateTimeOffset(2050, 9, 1, 0, 0, 0, TimeSpan.Zero)), true, Default: ConsentDefault.OptOut),
        ["mii_broad_after_validity_optin_default_deny"] = new([Mii], Research(at: new DateTimeOffset(2050, 9, 1, 0, 0, 0, TimeSpan.Zero)), false),

        // The steward shortcuts ($opt-out / $opt-in) write these consents; being newest in the scope, they decide.
        ["optout_directive_supersedes_research_permit"] = new([R1, Directive("o1", opt: false, "2025-02-01")], Research(), false, "Consent/o1/_history/1", "provision", ConsentDefault.OptOut),
        ["optout_directive_other_purpose_not_covered_optout_permit"] = new([Directive("o1", opt: false, "2025-02-01")], Research(purpose: "PUBHLTH"), true, Default: ConsentDefault.OptOut),
        ["optin_directive_under_optin_default_permit"] = new([Directive("i1", opt: true, "2025-02-01")], Research(type: "MedicationRequest"), true, "Consent/i1/_history/1", "provision"),
        ["optin_after_optout_permit"] = new([Directive("o1", opt: false, "2025-01-20"), Directive("i1", opt: true, "2025-02-01")], Research(), true, "Consent/i1/_history/1", "provision"),
        ["optout_after_optin_deny"] = new([Directive("i1", opt: true, "2025-01-20"), Directive("o1", opt: false, "2025-02-01")], Research(), false, "Consent/o1/_history/1", "provision", ConsentDefault.OptOut),

        // Status and revocation: the newest counting consent of the scope wins.
        ["revoked_by_newer_inactive_default_deny"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "inactive", "2025-02-01"))], Research(), false),
        ["revoked_by_newer_inactive_optout_permit"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "inactive", "2025-02-01"))], Research(), true, Default: ConsentDefault.OptOut),
        ["revoked_by_newer_rejected_default_deny"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "rejected", "2025-02-01"))], Research(), false),
        ["revoked_by_newer_entered_in_error_default_deny"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "entered-in-error", "2025-02-01"))], Research(), false),
        ["older_inactive_does_not_revoke_permit"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "inactive", "2024-06-01"))], Research(), true, R1Ref, "provision"),
        ["newer_draft_does_not_revoke_permit"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "draft", "2025-02-01"))], Research(), true, R1Ref, "provision"),
        ["newer_proposed_does_not_revoke_permit"] = new([R1, Composed("r2", ConsentFixtures.Research("Patient/p1", "proposed", "2025-02-01"))], Research(), true, R1Ref, "provision"),
        ["rejected_only_default_deny"] = new([Composed("r1", ConsentFixtures.Research("Patient/p1", "rejected"))], Research(), false),
        ["rejected_only_optout_default_permit"] = new([Composed("r1", ConsentFixtures.Research("Patient/p1", "rejected"))], Research(), true, Default: ConsentDefault.OptOut),
        ["newest_by_dateTime_not_write_order"] = new([Composed("r2", ConsentFixtures.Research("Patient/p1", dateTime: "2025-02-01", study: "ResearchStudy/other")), R1], Research(), false),
        ["same_dateTime_last_write_wins"] = new([Composed("r2", ConsentFixtures.Research("Patient/p1", study: "ResearchStudy/other")), R1], Research(), true, R1Ref, "provision"),

        // Regional defaults without any consent.
        ["no_consent_optin_deny"] = new([], Research(), false),
        ["no_consent_optout_permit"] = new([], Research(), true, Default: ConsentDefault.OptOut),

        // Scope fallback: IHE writes research permits as patient-privacy consents with purpose HRESCH.
        ["ihe_basic_research_privacy_scope_permit"] = new([Ihe("ex-consent-basic-research")], Ask(IhePatient, "HRESCH", "Organization/any"), true, "Consent/ex-consent-basic-research/_history/1", "provision"),
        ["ihe_basic_research_treat_not_covered_default_deny"] = new([Ihe("ex-consent-basic-research")], Ask(IhePatient, "TREAT"), false),
        ["research_scope_consent_blocks_privacy_fallback"] = new([R1, Composed("p", ConsentFixtures.PrivacyPermitAll("Patient/p1"))], Research(actor: "ResearchStudy/other"), false),
        ["privacy_permit_all_used_without_research_consent"] = new([Composed("p", ConsentFixtures.PrivacyPermitAll("Patient/p1"))], Research(actor: "ResearchStudy/other"), true, "Consent/p/_history/1", "provision"),

        // IHE PCF patterns.
        // The base provision covers only data labelled normal (N); a restricted (R) label is the nested exception.
        ["ihe_not_restricted_unlabelled_not_covered_default_deny"] = new([Ihe("ex-consent-advanced-normal-not-restricted")], Ask(IhePatient, "TREAT"), false),
        ["ihe_not_restricted_normal_label_permit"] = new([Ihe("ex-consent-advanced-normal-not-restricted")], Ask(IhePatient, "TREAT", labels: [Confidentiality + "|N"]), true, "Consent/ex-consent-advanced-normal-not-restricted/_history/1", "provision"),
        ["ihe_not_restricted_normal_and_restricted_labels_nested_deny"] = new([Ihe("ex-consent-advanced-normal-not-restricted")], Ask(IhePatient, "TREAT", labels: [Confidentiality + "|N", Confidentiality + "|R"]), false, "Consent/ex-consent-advanced-normal-not-restricted/_history/1", "provision.provision[0]"),
        ["ihe_expired_treat_default_deny"] = new([Ihe("ex-consent-expired-treat")], Ask(IhePatient, "TREAT"), false),
        ["ihe_expired_treat_before_end_permit"] = new([Ihe("ex-consent-expired-treat")], Ask(IhePatient, "TREAT", at: new DateTimeOffset(2022, 7, 1, 0, 0, 0, TimeSpan.Zero)), true, "Consent/ex-consent-expired-treat/_history/1", "provision"),
        ["ihe_timeframe_data_in_2022_permit"] = new([Ihe("ex-consent-intermediate-timeframe")], Ask(IhePatient, "TREAT", date: new DateTimeOffset(2022, 5, 1, 0, 0, 0, TimeSpan.Zero)), true, "Consent/ex-consent-intermediate-timeframe/_history/1", "provision"),
        ["ihe_timeframe_data_in_2021_default_deny"] = new([Ihe("ex-consent-intermediate-timeframe")], Ask(IhePatient, "TREAT", date: new DateTimeOffset(2021, 5, 1, 0, 0, 0, TimeSpan.Zero)), false),
        ["ihe_not_timeframe_data_in_2022_nested_deny"] = new([Ihe("ex-consent-intermediate-not-timeframe")], Ask(IhePatient, "TREAT", date: new DateTimeOffset(2022, 5, 1, 0, 0, 0, TimeSpan.Zero)), false, "Consent/ex-consent-intermediate-not-timeframe/_history/1", "provision.provision[0]"),
        ["ihe_not_timeframe_data_in_2023_permit"] = new([Ihe("ex-consent-intermediate-not-timeframe")], Ask(IhePatient, "TREAT", date: Recorded2023), true, "Consent/ex-consent-intermediate-not-timeframe/_history/1", "provision"),
        ["ihe_not_timeframe_date_unknown_deny_fails_closed"] = new([Ihe("ex-consent-intermediate-not-timeframe")], Ask(IhePatient, "TREAT"), false, "Consent/ex-consent-intermediate-not-timeframe/_history/1", "provision.provision[0]"),
        ["ihe_not_data_that_instance_nested_deny"] = new([Ihe("ex-consent-intermediate-not-data")], Ask(IhePatient, "TREAT", resource: "Observation/ex-alcoholUse"), false, "Consent/ex-consent-intermediate-not-data/_history/1", "provision.provision[0]"),
        ["ihe_not_data_other_instance_permit"] = new([Ihe("ex-consent-intermediate-not-data")], Ask(IhePatient, "TREAT", resource: "Observation/ex-bloodPressure"), true, "Consent/ex-consent-intermediate-not-data/_history/1", "provision"),
        ["ihe_break_glass_privileged_permit"] = new([Ihe("ex-dissent-intermediate-break-glass")], Ask(IhePatient, "BTG", "Group/ex-privilegedUsers"), true, "Consent/ex-dissent-intermediate-break-glass/_history/1", "provision.provision[0]"),
        ["ihe_break_glass_treat_base_deny"] = new([Ihe("ex-dissent-intermediate-break-glass")], Ask(IhePatient, "TREAT", "Organization/any"), false, "Consent/ex-dissent-intermediate-break-glass/_history/1", "provision"),
        ["ihe_basic_reject_treat_deny_even_under_optout"] = new([Ihe("ex-consent-basic-reject")], Ask(IhePatient, "TREAT"), false, "Consent/ex-consent-basic-reject/_history/1", "provision", ConsentDefault.OptOut),

        // R4 spec examples: untyped roots take their type from policyRule.
        ["r4_not_org_that_org_deny"] = new([R4("consent-example-notOrg")], Ask(R4Patient, "TREAT", "Organization/f001"), false, "Consent/consent-example-notOrg/_history/1", "provision", ConsentDefault.OptOut),
        ["r4_not_org_other_org_optout_permit"] = new([R4("consent-example-notOrg")], Ask(R4Patient, "TREAT", "Organization/f002"), true, Default: ConsentDefault.OptOut),
        ["r4_not_org_unknown_actor_deny_fails_closed"] = new([R4("consent-example-notOrg")], Ask(R4Patient, "TREAT"), false, "Consent/consent-example-notOrg/_history/1", "provision", ConsentDefault.OptOut),
        ["r4_out_optout_policy_root_deny"] = new([R4("consent-example-Out")], Ask(R4Patient, "PUBHLTH", "Organization/f001"), false, "Consent/consent-example-Out/_history/1", "provision", ConsentDefault.OptOut),
        ["r4_basic_within_period_permit"] = new([R4("consent-example-basic")], Ask(R4Patient, "TREAT", at: new DateTimeOffset(2015, 6, 1, 0, 0, 0, TimeSpan.Zero)), true, "Consent/consent-example-basic/_history/1", "provision"),
        ["r4_basic_after_period_default_deny"] = new([R4("consent-example-basic")], Ask(R4Patient, "TREAT"), false),
        ["r4_smart_within_half_hour_class_permit"] = new([R4("consent-example-smartonfhir")], Ask("Patient/xcda", "TREAT", type: "MedicationRequest", at: new DateTimeOffset(2016, 6, 23, 7, 10, 0, TimeSpan.Zero)), true, "Consent/consent-example-smartonfhir/_history/1", "provision.provision[0]"),
        ["r4_smart_after_half_hour_default_deny"] = new([R4("consent-example-smartonfhir")], Ask("Patient/xcda", "TREAT", type: "MedicationRequest", at: new DateTimeOffset(2016, 6, 23, 7, 33, 0, TimeSpan.Zero)), false),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Evaluate_DecisionTable_MatchesExpected(string name)
    {
        var c = Cases[name];
        var defaults = new ConsentDefaults(new[] { "HRESCH", "TREAT", "BTG", "PUBHLTH" }.ToDictionary(p => p, _ => c.Default));
        var index = new ConsentIndex(defaults);
        foreach (var (id, consent) in c.Consents)
        {
            index.Upsert(id, 1, consent());
        }

        var decision = index.Evaluate(c.Request);

        Assert.Equal((c.Permit, c.Consent, c.Provision), (decision.Permit, decision.Consent, decision.Provision));
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
        if (c.Consent is null)
        {
            Assert.EndsWith(c.Default == ConsentDefault.OptIn ? "regional default opt-in" : "regional default opt-out", decision.Reason, StringComparison.Ordinal);
        }
    }
}
