using System.Text.Json;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;

namespace HealthDataSpace.Core.Research;

/// <summary>The body of <c>POST /steward/permits</c>.</summary>
public sealed record PermitRequest(
    string? Project,
    string? Title,
    string? Recipient,
    IReadOnlyList<string>? Researchers,
    string? Purpose,
    IReadOnlyList<string>? ResourceTypes,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    IReadOnlyList<string>? Outputs,
    JsonElement? Cohort,
    string? Policy)
{
    /// <summary>Checks every field and builds the permit, or throws a 400 <see cref="FhirException"/> listing the problems.</summary>
    public DataPermit ToPermit(string id, string createdBy, DateTimeOffset now, Func<string, bool> policyExists)
    {
        ArgumentNullException.ThrowIfNull(policyExists);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Project) || Project.Length > 64 || !Project.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            problems.Add("'project' is required: 1-64 letters, digits, '-', '_' or '.' (it names the pseudonym domain).");
        }

        if (string.IsNullOrWhiteSpace(Title))
        {
            problems.Add("'title' is required.");
        }

        if (!ReferenceParser.TryParse(Recipient ?? string.Empty, out var recipientType, out _) || recipientType != "Organization")
        {
            problems.Add("'recipient' is required as Organization/{id}.");
        }

        if (Researchers is not { Count: > 0 } || Researchers.Any(r => string.IsNullOrWhiteSpace(r)))
        {
            problems.Add("'researchers' must list at least one researcher's token object id (oid).");
        }

        if (!PurposeOfUse.IsKnown(Purpose))
        {
            problems.Add("'purpose' must be a v3 PurposeOfUse code such as HRESCH.");
        }

        if (ResourceTypes is not { Count: > 0 } || ResourceTypes.Any(t => t is null || !Fhir.ResourceTypes.IsKnown(t)))
        {
            problems.Add("'resourceTypes' must list at least one R4 resource type, such as Patient, Condition, Observation.");
        }

        if (ValidFrom is null || ValidTo is null || ValidTo <= ValidFrom)
        {
            problems.Add("'validFrom' and 'validTo' are required, with validTo after validFrom.");
        }

        if (Outputs is not { Count: > 0 } || Outputs.Any(o => o is null || !PermitOutputs.All.Contains(o)))
        {
            problems.Add("'outputs' must list \"aggregate\", \"dataset\" or both.");
        }

        if (Cohort is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            problems.Add("'cohort', when given, must be a criteria object.");
        }
        else if (Cohort is { ValueKind: JsonValueKind.Object } cohort)
        {
            try
            {
                var types = Cohorts.CohortCriteriaParser.Parse(cohort).ResourceTypes.Distinct(StringComparer.Ordinal);
                if (ResourceTypes is { } listed && types.Any(t => !listed.Contains(t, StringComparer.Ordinal)))
                {
                    problems.Add("'cohort' reads resource types that 'resourceTypes' does not list.");
                }
            }
            catch (FhirException invalid)
            {
                problems.Add("'cohort': " + invalid.Message);
            }
        }

        if (Outputs is { Count: > 0 } && ResourceTypes?.Contains("Patient", StringComparer.Ordinal) != true)
        {
            problems.Add("'resourceTypes' must list Patient: every count reads the patients themselves, and every dataset is built on them (consent, pseudonyms, k-anonymity).");
        }

        var policy = string.IsNullOrWhiteSpace(Policy) ? DataPermit.DefaultPolicy : Policy;
        if (!policyExists(policy))
        {
            problems.Add("'policy' names no known pseudonymisation policy.");
        }

        if (problems.Count > 0)
        {
            throw new FhirException(400, Hl7.Fhir.Model.OperationOutcome.IssueType.Invalid, "The permit is not valid.") { Details = problems };
        }

        return new DataPermit(id, Project!, Title!.Trim(), Recipient!, [.. Researchers!.Distinct(StringComparer.Ordinal)],
            PurposeOfUse.CodeOf(Purpose!), [.. ResourceTypes!.Distinct(StringComparer.Ordinal)], ValidFrom!.Value, ValidTo!.Value,
            [.. Outputs!.Distinct(StringComparer.Ordinal)], Cohort is { ValueKind: JsonValueKind.Object } ? Cohort : null, policy,
            now, createdBy);
    }
}
