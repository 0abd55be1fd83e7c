using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Gateway.Auth;
using HealthDataSpace.Gateway.Hosting;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Data permits: stewards approve, list and revoke them (<c>/steward/permits</c>); researchers list the ones naming
/// them (<c>/research/permits</c>). Approvals and revocations are audited. See docs/research.md.
/// </summary>
internal static class PermitEndpoints
{
    public const string PermitSystem = "urn:healthdataspace:permit";

    public static IEndpointRouteBuilder MapPermitEndpoints(this IEndpointRouteBuilder app)
    {
        var steward = app.MapGroup("/steward/permits").RequireAuthorization(GatewayPolicies.Steward);
        steward.MapPost("/", CreateAsync);
        steward.MapGet("/", async (IPermitStore store, TimeProvider time, CancellationToken ct) =>
            Results.Ok((await store.ListAsync(ct)).Select(p => PermitView.Of(p, time.GetUtcNow()))));
        steward.MapGet("/{id}", async (string id, IPermitStore store, TimeProvider time, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } permit
                ? Results.Ok(PermitView.Of(permit, time.GetUtcNow()))
                : throw FhirException.NotFound("No permit has this id."));
        steward.MapPost("/{id}/$revoke", RevokeAsync);

        app.MapGet("/research/permits", async (HttpContext http, IPermitStore store, TimeProvider time, CancellationToken ct) =>
            {
                var subject = http.User.ToCaller().Subject;
                var mine = (await store.ListAsync(ct)).Where(p => p.Researchers.Contains(subject, StringComparer.Ordinal));
                return Results.Ok(mine.Select(p => PermitView.Of(p, time.GetUtcNow())));
            })
            .RequireAuthorization(GatewayPolicies.Researcher);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IPermitStore store, AuditTrail audit, TimeProvider time)
    {
        var request = await JsonBody.ReadAsync<PermitRequest>(http);
        var caller = http.User.ToCaller();
        var permit = request.ToPermit(Guid.CreateVersion7().ToString(), caller.Subject, time.GetUtcNow(),
            policy => policy == DataPermit.DefaultPolicy);
        await store.CreateAsync(permit, http.RequestAborted);
        await AuditAsync(audit, caller, permit, "permit-approve", AuditEvent.AuditEventAction.C, http.RequestAborted);
        return Results.Created($"/steward/permits/{permit.Id}", PermitView.Of(permit, time.GetUtcNow()));
    }

    private static async Task<IResult> RevokeAsync(string id, HttpContext http, IPermitStore store, AuditTrail audit, TimeProvider time)
    {
        var permit = await store.GetAsync(id, http.RequestAborted) ?? throw FhirException.NotFound("No permit has this id.");
        if (!await store.RevokeAsync(id, time.GetUtcNow(), http.RequestAborted))
        {
            throw FhirException.Conflict("The permit was revoked already.");
        }

        var caller = http.User.ToCaller();
        await AuditAsync(audit, caller, permit, "permit-revoke", AuditEvent.AuditEventAction.U, http.RequestAborted);
        var revoked = await store.GetAsync(id, http.RequestAborted);
        return Results.Ok(PermitView.Of(revoked!, time.GetUtcNow()));
    }

    private static Task<string> AuditAsync(AuditTrail audit, CallerIdentity caller, DataPermit permit, string operation,
        AuditEvent.AuditEventAction action, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditRecord(AuditCodes.Rest, [AuditCodes.Operation(operation)], action,
            new AuditActor(caller.Subject, caller.ClientId), permit.Purpose, AuditEvent.AuditEventOutcome.N0,
            [AuditEntity.Object(PermitSystem, permit.Id)]), cancellationToken);
}

/// <summary>A permit as the API shows it: its definition plus its status now.</summary>
internal sealed record PermitView(
    string Id, string Project, string Title, string Recipient, IReadOnlyList<string> Researchers, string Purpose,
    IReadOnlyList<string> ResourceTypes, DateTimeOffset ValidFrom, DateTimeOffset ValidTo, IReadOnlyList<string> Outputs,
    System.Text.Json.JsonElement? Cohort, string Policy, DateTimeOffset Created, DateTimeOffset? Revoked, string Status)
{
    public static PermitView Of(DataPermit p, DateTimeOffset now) => new(p.Id, p.Project, p.Title, p.Recipient, p.Researchers,
        p.Purpose, p.ResourceTypes, p.ValidFrom, p.ValidTo, p.Outputs, p.Cohort, p.Policy, p.Created, p.Revoked, p.Status(now));
}
