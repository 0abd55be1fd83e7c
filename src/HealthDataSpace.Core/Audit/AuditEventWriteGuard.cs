using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Audit;

/// <summary>
/// AuditEvents are append-only and written by the gateway alone (<see cref="AuditTrail"/>): any create, update or
/// delete of one through the FHIR API, bundles included, is refused with 405.
/// </summary>
public sealed class AuditEventWriteGuard : IFhirWriteHook
{
    public ValueTask BeforeWriteAsync(FhirWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        return write.Type == "AuditEvent"
            ? throw new FhirException(405, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                "AuditEvent is read-only: the gateway writes the audit trail itself, and no entry can be changed or removed.")
            : ValueTask.CompletedTask;
    }

    public ValueTask AfterWriteAsync(IFhirStoreSession session, FhirWrite write, StoredResource stored, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
