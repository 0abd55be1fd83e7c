using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Hosting;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Gateway.Features.Privacy;

/// <summary>The body of <c>POST /steward/reidentify</c>.</summary>
internal sealed record ReidentifyRequest(string? Project, string? Pseudonym, string? Reason);

/// <summary>
/// <c>POST /steward/reidentify</c> (Steward only; 403 for everyone else): maps a project's pseudonym back to the
/// original reference. Pseudonyms are one-way, so the project's pseudonym is recomputed over the ids of that resource
/// type in the identified store until one matches. The reason is one of a fixed list (free text could carry names), and
/// every attempt — found or not — is audited with it.
/// </summary>
internal static class ReidentifyEndpoint
{
    public const string ReasonSystem = "https://healthdataspace.eu/fhir/CodeSystem/reidentification-reason";

    /// <summary>Why a steward may re-identify (docs/pseudonymisation.md).</summary>
    public static readonly IReadOnlySet<string> Reasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "incidental-finding", "patient-safety", "legal-obligation", "data-correction", "withdrawal-request",
    };

    private const int PageSize = 1000;

    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/steward/reidentify", ReidentifyAsync).RequireAuthorization(GatewayPolicies.Steward);
        return app;
    }

    private static async Task<IResult> ReidentifyAsync(HttpContext http, PseudonymDomains domains, IFhirStore store, AuditTrail audit)
    {
        var request = await JsonBody.ReadAsync<ReidentifyRequest>(http);
        var (type, pseudonym) = Validate(request);
        var domain = domains.ForProject(request.Project!);
        string? original = null;
        await using (var session = await store.OpenSessionAsync(forWrite: false, http.RequestAborted))
        {
            for (var offset = 0; original is null; offset += PageSize)
            {
                var query = new SearchQuery(type, [], PageSize, offset, SearchSort.Default, CountOnly: false) { IncludeTotal = false };
                var page = await session.SearchAsync(query, ownerFilter: null, http.RequestAborted);
                original = page.Resources.Select(r => r.Id).FirstOrDefault(id =>
                    string.Equals(domain.PseudonymizeId(type, id), pseudonym, StringComparison.Ordinal));
                if (page.Resources.Count < PageSize)
                {
                    break;
                }
            }
        }

        var caller = http.User.ToCaller();
        await audit.RecordAsync(new AuditRecord(AuditCodes.Reidentify,
            [AuditCodes.Operation("reidentify"), new Coding(ReasonSystem, request.Reason)], AuditEvent.AuditEventAction.E,
            new AuditActor(caller.Subject, caller.ClientId), "HRESCH",
            original is null ? AuditEvent.AuditEventOutcome.N4 : AuditEvent.AuditEventOutcome.N0,
            original is null
                ? [AuditEntity.Object("urn:healthdataspace:project", request.Project!)]
                : [AuditEntity.Object("urn:healthdataspace:project", request.Project!), type == "Patient" ? AuditEntity.Patient($"{type}/{original}") : AuditEntity.Resource($"{type}/{original}")],
            original is null ? "no resource has this pseudonym in this project" : null), http.RequestAborted);

        return original is null
            ? throw FhirException.NotFound("No resource of this type has this pseudonym in this project.")
            : Results.Ok(new { reference = $"{type}/{original}", project = request.Project });
    }

    private static (string Type, string Pseudonym) Validate(ReidentifyRequest request)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Project))
        {
            problems.Add("'project' is required: the project whose pseudonym this is.");
        }

        var (type, pseudonym) = (request.Pseudonym ?? string.Empty).Split('/') switch
        {
            [var t, var p] => (t, p),
            [var p] => ("Patient", p),
            _ => (string.Empty, string.Empty),
        };
        if (!ResourceTypes.IsKnown(type) || pseudonym.Length != 64 || !pseudonym.All(char.IsAsciiHexDigitLower))
        {
            problems.Add("'pseudonym' is required as {type}/{64 hex characters} (a bare pseudonym means Patient).");
        }

        if (request.Reason is null || !Reasons.Contains(request.Reason))
        {
            problems.Add($"'reason' must be one of: {string.Join(", ", Reasons.Order(StringComparer.Ordinal))}.");
        }

        return problems.Count == 0
            ? (type, pseudonym)
            : throw new FhirException(400, OperationOutcome.IssueType.Invalid, "The re-identification request is not valid.") { Details = problems };
    }
}
