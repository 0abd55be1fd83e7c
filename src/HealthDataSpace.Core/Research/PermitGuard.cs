using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Core.Research;

/// <summary>
/// Whether a researcher may use a permit for an output now. Every refusal is a 403 whose reason says which rule
/// failed (without echoing identifiers), so a researcher knows what to ask the steward for.
/// </summary>
public static class PermitGuard
{
    public static DataPermit Authorize(DataPermit? permit, string researcherSubject, string output, DateTimeOffset now)
    {
        if (permit is null)
        {
            // Same answer as "not named on it": a researcher must not learn which permit ids exist.
            throw FhirException.Forbidden("No permit with this id names you as a researcher.");
        }

        if (!permit.Researchers.Contains(researcherSubject, StringComparer.Ordinal))
        {
            throw FhirException.Forbidden("No permit with this id names you as a researcher.");
        }

        return permit.Status(now) switch
        {
            "revoked" => throw FhirException.Forbidden("The permit was revoked by a data steward."),
            "pending" => throw FhirException.Forbidden("The permit is not valid yet (see validFrom)."),
            "expired" => throw FhirException.Forbidden("The permit has expired (see validTo)."),
            _ when !permit.Outputs.Contains(output, StringComparer.Ordinal) =>
                throw FhirException.Forbidden($"The permit does not allow the output '{output}'."),
            _ => permit,
        };
    }
}
