namespace HealthDataSpace.Core.Consent;

/// <summary>
/// A question to the consent engine: may data of <paramref name="Patient"/> be used for <paramref name="Purpose"/>
/// by <paramref name="Actor"/>?
/// </summary>
/// <param name="Patient">The data subject as <c>Patient/{id}</c>.</param>
/// <param name="Purpose">A v3 PurposeOfUse code (<c>HRESCH</c>, <c>TREAT</c>, ...), bare or as <c>system|code</c>.</param>
/// <param name="Actor">Who receives the data: <c>Organization/{id}</c>, <c>ResearchStudy/{id}</c>, ...; null when unknown.</param>
/// <param name="ResourceType">The FHIR resource type of the data item (matched against provision <c>class</c>).</param>
/// <param name="Code">The data item's code as <c>system|code</c> (or a bare code); null when it has none.</param>
/// <param name="SecurityLabels">The data item's security labels (<c>system|code</c> or bare); null or empty when unlabelled.</param>
/// <param name="Date">When the data was recorded (matched against <c>dataPeriod</c>); null when unknown.</param>
/// <param name="At">When the decision is asked (matched against <c>period</c>); null means now.</param>
/// <param name="Resource">The data item itself as <c>{type}/{id}</c> (matched against <c>data</c> with meaning
/// <c>instance</c>); null when the question is about a category rather than one resource.</param>
public sealed record ConsentDecisionRequest(
    string Patient,
    string Purpose,
    string? Actor,
    string ResourceType,
    string? Code = null,
    IReadOnlyList<string>? SecurityLabels = null,
    DateTimeOffset? Date = null,
    DateTimeOffset? At = null,
    string? Resource = null);

/// <summary>The answer of the consent engine.</summary>
/// <param name="Permit">True when the data may be used.</param>
/// <param name="Consent"><c>Consent/{id}/_history/{v}</c> that decided, or null when the regional default decided.</param>
/// <param name="Provision">Path of the deciding provision (<c>provision</c>, <c>provision.provision[0]</c>, ...), or null
/// when the regional default decided.</param>
/// <param name="Reason">Why, in words. Never contains identifiers or resource content.</param>
public sealed record ConsentDecision(bool Permit, string? Consent, string? Provision, string Reason);
