using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// Keeps the <see cref="ConsentIndex"/> as current as the store: each committed Consent version is indexed (or a
/// deletion removed) before the write is acknowledged, so no decision after a revocation's response is stale.
/// </summary>
public sealed class ConsentIndexListener(ConsentIndex index) : IFhirCommitListener
{
    public bool Watches(string resourceType) => resourceType == "Consent";

    public void Committed(IReadOnlyList<ResourceWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
        {
            Apply(index, write.Id, write.Version, write.Json);
        }
    }

    /// <summary>Indexes one stored Consent version; null JSON is a deletion.</summary>
    internal static void Apply(ConsentIndex index, string id, long version, string? json)
    {
        if (json is null)
        {
            index.Remove(id);
            return;
        }

        // Validated before it was stored (ConsentWriteHook), so Upsert does not refuse it.
        var consent = (Hl7.Fhir.Model.Consent)FhirJson.ParseResource(System.Text.Encoding.UTF8.GetBytes(json), "Consent");
        index.Upsert(id, version, consent);
    }
}
