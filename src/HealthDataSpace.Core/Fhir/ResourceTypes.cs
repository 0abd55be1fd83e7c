using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Fhir;

/// <summary>FHIR R4 resource type names the gateway accepts at <c>/fhir/{type}</c>.</summary>
public static class ResourceTypes
{
    /// <summary>Throws a 404 for a type R4 does not define (as the spec's "unknown resource type" answer).</summary>
    public static void EnsureKnown(string type)
    {
        if (!IsKnown(type))
        {
            throw FhirException.NotFound($"Unknown resource type '{type}': this server speaks FHIR R4.");
        }
    }

    public static bool IsKnown(string type) =>
        type.Length > 0 && char.IsAsciiLetterUpper(type[0]) && ModelInfo.IsKnownResource(type)
        && type is not ("Resource" or "DomainResource");
}
