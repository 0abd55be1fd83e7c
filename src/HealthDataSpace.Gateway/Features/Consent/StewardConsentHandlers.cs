using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Gateway.Features.Fhir;

namespace HealthDataSpace.Gateway.Features.Consent;

/// <summary>
/// <c>POST /steward/consents/{patient}/$opt-out?purpose=HRESCH</c> and <c>$opt-in</c>: one call writes a proper
/// Consent (see <see cref="ConsentDirectives"/>) through the FHIR engine, so it is validated, audited and indexed like
/// any other, and answered as the stored Consent (201, FHIR JSON, Location).
/// </summary>
internal static class StewardConsentHandlers
{
    public static Task<IResult> OptOutAsync(string patient, string? purpose, HttpContext http, FhirService fhir, TimeProvider time) =>
        WriteAsync(patient, purpose, http, fhir, time, ConsentDirectives.OptOut);

    public static Task<IResult> OptInAsync(string patient, string? purpose, HttpContext http, FhirService fhir, TimeProvider time) =>
        WriteAsync(patient, purpose, http, fhir, time, ConsentDirectives.OptIn);

    private static async Task<IResult> WriteAsync(string patient, string? purpose, HttpContext http, FhirService fhir, TimeProvider time,
        Func<string, string, DateTimeOffset, Hl7.Fhir.Model.Consent> compose)
    {
        if (!ReferenceParser.IsValidId(patient))
        {
            throw FhirException.BadRequest("The patient in the URL must be a FHIR id (the {id} of Patient/{id}).");
        }

        if (!PurposeOfUse.IsKnown(purpose))
        {
            throw FhirException.BadRequest("The query parameter 'purpose' is required: a v3 PurposeOfUse code such as HRESCH.");
        }

        var context = FhirHttp.Context(http);
        await fhir.ReadAsync(context, "Patient", patient, http.RequestAborted);
        var consent = compose($"Patient/{patient}", PurposeOfUse.CodeOf(purpose!), time.GetUtcNow());
        var outcome = await fhir.CreateAsync(context, consent, ifNoneExist: null, http.RequestAborted);
        return FhirHttp.Resource(http, outcome.Resource, StatusCodes.Status201Created, withLocation: true);
    }
}
