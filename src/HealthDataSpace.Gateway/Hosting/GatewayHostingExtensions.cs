using HealthDataSpace.Gateway.Features.Fhir;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace HealthDataSpace.Gateway.Hosting;

internal static class GatewayHostingExtensions
{
    /// <summary>Cross-cutting services: ProblemDetails for non-FHIR errors, health checks, and gRPC (HTTP/2 endpoint).</summary>
    public static WebApplicationBuilder AddGatewayHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // Refusals outside /fhir become ProblemDetails; under /fhir the FHIR handler writes OperationOutcomes.
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddHealthChecks();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    /// <summary>Error handling first, so every later failure is answered as an OperationOutcome or ProblemDetails.</summary>
    public static WebApplication UseGatewayErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(FhirStatusCodeWriter.WriteAsync);
        return app;
    }

    /// <summary>Liveness for load balancers: <c>GET /healthz</c> and the standard gRPC health service.</summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions()).AllowAnonymous();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        return app;
    }
}
