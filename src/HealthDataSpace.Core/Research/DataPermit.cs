using System.Text.Json;

namespace HealthDataSpace.Core.Research;

/// <summary>What a permit allows: aggregate counts, pseudonymised datasets, or both.</summary>
public static class PermitOutputs
{
    public const string Aggregate = "aggregate";
    public const string Dataset = "dataset";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Aggregate, Dataset };
}

/// <summary>
/// A data permit approved by a steward: which researchers (token <c>oid</c>s) of which recipient may use which data
/// (resource types, optional cohort) for which purpose, in which period, producing which outputs, pseudonymised with
/// which policy under which project's pseudonym domain.
/// </summary>
public sealed record DataPermit(
    string Id,
    string Project,
    string Title,
    string Recipient,
    IReadOnlyList<string> Researchers,
    string Purpose,
    IReadOnlyList<string> ResourceTypes,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidTo,
    IReadOnlyList<string> Outputs,
    JsonElement? Cohort,
    string Policy,
    DateTimeOffset Created,
    string CreatedBy,
    DateTimeOffset? Revoked = null)
{
    public const string DefaultPolicy = "research-default";

    public string Status(DateTimeOffset now) =>
        Revoked is not null ? "revoked" : now < ValidFrom ? "pending" : now >= ValidTo ? "expired" : "active";
}
