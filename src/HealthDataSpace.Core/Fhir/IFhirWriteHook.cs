using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Fhir;

/// <summary>A write about to happen: <see cref="Resource"/> is null for a deletion; <see cref="Current"/> is the version it replaces.</summary>
public sealed record FhirWrite(FhirRequestContext Context, string Type, string Id, Resource? Resource, StoredResource? Current)
{
    public bool IsDeletion => Resource is null;
}

/// <summary>
/// Rules and side effects of writes of particular resource types, run by the write pipeline for every write: single
/// requests, conditional writes and bundle entries alike. A hook that throws a <see cref="FhirException"/> refuses
/// the write (and, in a transaction, the whole bundle).
/// </summary>
public interface IFhirWriteHook
{
    /// <summary>Checks a write before it is stored.</summary>
    ValueTask BeforeWriteAsync(FhirWrite write, CancellationToken cancellationToken);

    /// <summary>Runs in the same store session after the write was stored, so what it writes commits with it.</summary>
    ValueTask AfterWriteAsync(IFhirStoreSession session, FhirWrite write, StoredResource stored, CancellationToken cancellationToken);
}
