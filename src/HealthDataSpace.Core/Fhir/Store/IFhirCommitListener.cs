namespace HealthDataSpace.Core.Fhir.Store;

/// <summary>
/// Learns of committed writes of the resource types it watches, after the transaction committed and before the
/// request that wrote them is answered: in-memory indexes (consent) stay exactly as current as the store.
/// </summary>
public interface IFhirCommitListener
{
    /// <summary>True for the resource types this listener wants to hear about.</summary>
    bool Watches(string resourceType);

    /// <summary>Called once per commit with the watched writes in write order. Must not throw.</summary>
    void Committed(IReadOnlyList<ResourceWrite> writes);
}
