using HealthDataSpace.Core.Audit;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;
using Hl7.Fhir.Model;

namespace HealthDataSpace.Core.Consent;

/// <summary>
/// Every Consent write, from any route (single request, conditional write, bundle entry): refused with a 422 when the
/// engine could not enforce it, audited in the same transaction (who, which consent version, which patient), and
/// announced on the consent change feed for the other gateway replicas.
/// </summary>
public sealed class ConsentWriteHook(AuditTrail audit, TimeProvider time) : IFhirWriteHook
{
    /// <summary>How far ahead of the gateway clock a Consent's dateTime may be (clock skew between systems).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(1);

    /// <summary>Purpose of use recorded for consent management (v3 PurposeOfUse: records management).</summary>
    public const string ManagementPurpose = "RECORDMGT";

    public ValueTask BeforeWriteAsync(FhirWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.Resource is Hl7.Fhir.Model.Consent consent)
        {
            ConsentValidator.EnsureEnforceable(consent);
            // "Newest wins" compares dateTime: a consent dated in the future would outrank every later opt-out.
            if (Fhir.Search.FhirDateRange.TryParse(consent.DateTime, out var asserted)
                && asserted.Low > (time.GetUtcNow() + MaxFutureSkew).UtcTicks)
            {
                throw FhirException.Unprocessable("Consent.dateTime lies in the future; a consent takes effect when it is given.");
            }
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask AfterWriteAsync(IFhirStoreSession session, FhirWrite write, StoredResource stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(stored);
        if (write.Type != "Consent")
        {
            return;
        }

        // Other gateway replicas learn of the change from the feed (ConsentIndexSync).
        await session.LockAsync(ConsentIndexSync.FeedLock, cancellationToken);
        await session.AppendChangeAsync(ConsentIndexSync.Feed, stored.Id, cancellationToken);

        var (action, interaction) = write switch
        {
            { IsDeletion: true } => (AuditEvent.AuditEventAction.D, "delete"),
            { Current: null or { Deleted: true } } => (AuditEvent.AuditEventAction.C, "create"),
            _ => (AuditEvent.AuditEventAction.U, "update"),
        };
        var patient = (write.Resource as Hl7.Fhir.Model.Consent)?.Patient?.Reference
                      ?? PatientOf(write.Current);
        List<AuditEntity> entities = [AuditEntity.Resource($"Consent/{stored.Id}/_history/{stored.Version}")];
        if (patient is not null)
        {
            entities.Add(AuditEntity.Patient(patient));
        }

        var record = new AuditRecord(AuditCodes.Rest, [AuditCodes.Interaction(interaction)], action,
            new AuditActor(write.Context.Subject, write.Context.Scope.ClientId), ManagementPurpose,
            AuditEvent.AuditEventOutcome.N0, entities);
        await audit.RecordInSessionAsync(session, record, cancellationToken);
    }

    private static string? PatientOf(StoredResource? current) =>
        current?.Json is { } json && FhirJson.ParseResource(System.Text.Encoding.UTF8.GetBytes(json)) is Hl7.Fhir.Model.Consent consent
            ? consent.Patient?.Reference
            : null;
}
