namespace HealthDataSpace.Gateway.Features.Fhir;

/// <summary>GET /fhir/metadata: the CapabilityStatement, open to anyone, as FHIR clients expect.</summary>
internal static class FhirMetadataHandler
{
    public static IResult GetAsync(HttpContext http, CapabilityStatementFactory factory)
    {
        var request = http.Request;
        return Results.Text(factory.Json($"{request.Scheme}://{request.Host}{request.PathBase}/fhir"), FhirHttp.ContentType);
    }
}
