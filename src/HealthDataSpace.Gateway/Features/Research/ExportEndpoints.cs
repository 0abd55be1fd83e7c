using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Research;
using HealthDataSpace.Core.Research.Datasets;
using HealthDataSpace.Gateway.Auth;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Gateway.Features.Research;

/// <summary>
/// Dataset exports in the FHIR Bulk Data async pattern: <c>POST /research/permits/{id}/$export</c> answers 202 with
/// the job's <c>Content-Location</c>; <c>GET</c> on it answers 202 with <c>X-Progress</c> while it runs and 200 with the
/// manifest when done; <c>DELETE</c> cancels. Only researchers named on the permit see its jobs. See docs/research.md.
/// </summary>
internal static class ExportEndpoints
{
    public const string JobSystem = "urn:healthdataspace:export-job";
    public const string DatasetSystem = "urn:healthdataspace:dataset";

    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var research = app.MapGroup("/research").RequireAuthorization(GatewayPolicies.Researcher);
        research.MapPost("/permits/{id}/$export", StartAsync);
        research.MapGet("/exports/{jobId}", StatusAsync);
        research.MapDelete("/exports/{jobId}", CancelAsync);
        return app;
    }

    private static async Task<IResult> StartAsync(string id, HttpContext http, IPermitStore permits, ExportJobRunner runner, AuditTrail audit,
        TimeProvider time)
    {
        var caller = http.User.ToCaller();
        var stored = await permits.GetAsync(id, http.RequestAborted);
        try
        {
            PermitGuard.Authorize(stored, caller.Subject, PermitOutputs.Dataset, time.GetUtcNow());
        }
        catch (FhirException refused)
        {
            await audit.RecordAsync(new AuditRecord(AuditCodes.Export, [AuditCodes.Operation("dataset-export")], AuditEvent.AuditEventAction.E,
                new AuditActor(caller.Subject, caller.ClientId), stored?.Purpose, AuditEvent.AuditEventOutcome.N4,
                [AuditEntity.Object(PermitEndpoints.PermitSystem, id)], "refused: " + refused.Message), http.RequestAborted);
            throw;
        }

        var requestUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}";
        var job = new ExportJob(Guid.CreateVersion7().ToString(), id, caller.Subject, caller.ClientId, requestUrl, time.GetUtcNow(),
            ExportStates.Queued, "queued");
        await runner.EnqueueAsync(job, http.RequestAborted);
        http.Response.Headers.ContentLocation = $"{http.Request.PathBase}/research/exports/{job.Id}";
        return Results.Accepted($"/research/exports/{job.Id}", new { jobId = job.Id, state = job.State });
    }

    private static async Task<IResult> StatusAsync(string jobId, HttpContext http, IDatasetStore jobs, IPermitStore permits)
    {
        var job = await VisibleJobAsync(jobId, http, jobs, permits);
        switch (job.State)
        {
            case ExportStates.Queued or ExportStates.Running:
                http.Response.Headers["X-Progress"] = job.Progress;
                http.Response.Headers.RetryAfter = "2";
                return Results.Json(new { jobId = job.Id, state = job.State, progress = job.Progress }, statusCode: StatusCodes.Status202Accepted);
            case ExportStates.Cancelled:
                throw FhirException.NotFound("The export was cancelled.");
            case ExportStates.Failed:
                throw new FhirException(422, OperationOutcome.IssueType.Processing, "The export failed: " + job.Error);
        }

        var manifest = JsonNode.Parse(job.Result!)!.AsObject();
        var withdrawn = job.DatasetId is null ? 0 : await jobs.CountWithdrawnAsync(job.DatasetId, http.RequestAborted);
        manifest["withdrawals"]!["count"] = withdrawn;
        return Results.Content(manifest.ToJsonString(DatasetManifest.Json), "application/json");
    }

    private static async Task<IResult> CancelAsync(string jobId, HttpContext http, IDatasetStore jobs, IPermitStore permits, ExportJobRunner runner)
    {
        var job = await VisibleJobAsync(jobId, http, jobs, permits);
        if (!await runner.CancelAsync(job.Id, http.RequestAborted))
        {
            throw FhirException.Conflict(string.Create(CultureInfo.InvariantCulture,
                $"The export is {job.State} already; a delivered dataset is not deleted by cancelling (withdrawals reach the partner through withdrawals.ndjson)."));
        }

        return Results.Accepted();
    }

    /// <summary>The job, when the caller is named on its permit; otherwise the same 404 as an unknown id.</summary>
    private static async Task<ExportJob> VisibleJobAsync(string jobId, HttpContext http, IDatasetStore jobs, IPermitStore permits)
    {
        var job = await jobs.GetJobAsync(jobId, http.RequestAborted);
        var permit = job is null ? null : await permits.GetAsync(job.PermitId, http.RequestAborted);
        if (job is null || permit is null || !permit.Researchers.Contains(http.User.ToCaller().Subject, StringComparer.Ordinal))
        {
            throw FhirException.NotFound("No export job with this id is visible to you.");
        }

        return job;
    }
}
