using HealthDataSpace.Gateway.Auth;

namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>The FHIR R4 RESTful API at <c>/fhir</c> (docs/fhir-api.md lists every route and option).</summary>
internal static class FhirEndpoints
{
    public static IEndpointRouteBuilder MapFhirApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/fhir/metadata", FhirMetadataHandler.GetAsync).AllowAnonymous();

        // Hospitals and stewards only: researchers see de-identified data elsewhere, never the identified store.
        var fhir = app.MapGroup("/fhir").RequireAuthorization(GatewayPolicies.FhirClient);
        fhir.AddEndpointFilter(AuditEventAccessFilter.InvokeAsync);
        fhir.MapPost("/", FhirWriteHandlers.BundleAsync);
        fhir.MapPost("/{type}", FhirWriteHandlers.CreateAsync);
        fhir.MapPut("/{type}", FhirWriteHandlers.ConditionalUpdateAsync);
        fhir.MapDelete("/{type}", FhirWriteHandlers.ConditionalDeleteAsync);
        fhir.MapPut("/{type}/{id}", FhirWriteHandlers.UpdateAsync);
        fhir.MapDelete("/{type}/{id}", FhirWriteHandlers.DeleteAsync);
        fhir.MapGet("/{type}", FhirReadHandlers.SearchAsync);
        fhir.MapPost("/{type}/_search", FhirReadHandlers.SearchByPostAsync);
        fhir.MapGet("/{type}/{id}", FhirReadHandlers.ReadAsync);
        fhir.MapGet("/{type}/{id}/_history", FhirReadHandlers.HistoryAsync);
        fhir.MapGet("/{type}/{id}/_history/{version}", FhirReadHandlers.ReadVersionAsync);
        return app;
    }
}
