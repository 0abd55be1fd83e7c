using System.Globalization;
using System.Text.Json;
using HealthDataSpace.Core.Consent;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Fhir.Store;

namespace HealthDataSpace.Core.Research.Datasets;

/// <summary>
/// Tells partners when a delivered patient withdraws: follows the consent change feed (from a checkpoint kept in the
/// database, so every consent change is looked at once even across restarts and replicas), and for every dataset the
/// patient was delivered in whose permit their consent no longer allows, appends a line with that dataset's pseudonym
/// to the dataset's <c>withdrawals.ndjson</c> and marks the member withdrawn. A line can repeat after a crash between
/// the append and the mark (at-least-once); partners treat the file as a set.
/// </summary>
internal sealed class WithdrawalNotifier(
    IFhirStore store,
    IDatasetStore datasets,
    IPermitStore permits,
    ConsentIndex consents,
    IBlobStorage blobs,
    TimeProvider time)
{
    public const string Consumer = "dataset-withdrawals";
    private const int PageSize = 500;

    /// <summary>Looks at consent changes since the checkpoint; returns the number of withdrawal notices written.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        var after = await datasets.GetCheckpointAsync(Consumer, cancellationToken);
        var notices = 0;
        while (true)
        {
            var patients = new HashSet<string>(StringComparer.Ordinal);
            IReadOnlyList<FeedChange> changes;
            await using (var session = await store.OpenSessionAsync(forWrite: false, cancellationToken))
            {
                changes = await session.ReadChangesAsync(ConsentIndexSync.Feed, after, PageSize, cancellationToken);
                foreach (var change in changes)
                {
                    if (await PatientOfConsentAsync(session, change.ResourceId, cancellationToken) is { } patient)
                    {
                        patients.Add(patient);
                    }
                }
            }

            foreach (var patient in patients)
            {
                notices += await CheckPatientAsync(patient, cancellationToken);
            }

            if (changes.Count == 0)
            {
                return notices;
            }

            after = changes[^1].Sequence;
            await datasets.SetCheckpointAsync(Consumer, after, cancellationToken);
        }
    }

    /// <summary>
    /// While no dataset has been delivered, no consent change can withdraw anyone: moves the checkpoint to the feed's
    /// head so the first start of a gateway with a long consent history does not walk it. (A dataset delivered meanwhile
    /// has its members checked right after its export, <see cref="CheckDatasetAsync"/>.) Returns whether it moved.
    /// </summary>
    public async Task<bool> SkipWhileNoDatasetsAsync(CancellationToken cancellationToken)
    {
        if ((await datasets.ListDatasetsAsync(cancellationToken)).Count > 0)
        {
            return false;
        }

        long head;
        await using (var session = await store.OpenSessionAsync(forWrite: false, cancellationToken))
        {
            head = await session.ReadFeedPositionAsync(ConsentIndexSync.Feed, cancellationToken);
        }

        if (head > await datasets.GetCheckpointAsync(Consumer, cancellationToken))
        {
            await datasets.SetCheckpointAsync(Consumer, head, cancellationToken);
            return true;
        }

        return false;
    }

    /// <summary>Checks every member of a just-delivered dataset: a consent withdrawn while the export ran is noticed too.</summary>
    public async Task<int> CheckDatasetAsync(string datasetId, CancellationToken cancellationToken)
    {
        var notices = 0;
        var dataset = await datasets.GetDatasetAsync(datasetId, cancellationToken);
        var permit = dataset is null ? null : await permits.GetAsync(dataset.PermitId, cancellationToken);
        if (dataset is null || permit is null)
        {
            return 0;
        }

        foreach (var member in await datasets.ActiveMembersAsync(datasetId, cancellationToken))
        {
            notices += await NotifyIfWithdrawnAsync(dataset, permit, member, cancellationToken) ? 1 : 0;
        }

        return notices;
    }

    /// <summary>Checks one patient (<c>Patient/{id}</c>) in every dataset they are an active member of.</summary>
    public async Task<int> CheckPatientAsync(string patient, CancellationToken cancellationToken)
    {
        var notices = 0;
        foreach (var member in await datasets.ActiveMembershipsAsync(patient, cancellationToken))
        {
            var dataset = await datasets.GetDatasetAsync(member.DatasetId, cancellationToken);
            var permit = dataset is null ? null : await permits.GetAsync(dataset.PermitId, cancellationToken);
            if (dataset is not null && permit is not null)
            {
                notices += await NotifyIfWithdrawnAsync(dataset, permit, member, cancellationToken) ? 1 : 0;
            }
        }

        return notices;
    }

    private async Task<bool> NotifyIfWithdrawnAsync(DatasetRecord dataset, DataPermit permit, DatasetMember member, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (consents.Evaluate(new ConsentDecisionRequest(member.Patient, permit.Purpose, permit.Recipient, "Patient", At: now)).Permit)
        {
            return false;
        }

        var line = JsonSerializer.Serialize(new
        {
            resourceType = "Patient",
            id = member.Pseudonym,
            datasetId = dataset.Id,
            withdrawnAt = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            reason = "consent-withdrawn",
        });
        await blobs.AppendLineAsync(dataset.Container, $"{dataset.Folder}/{DatasetManifest.WithdrawalsFileName}", line, cancellationToken);
        return await datasets.MarkWithdrawnAsync(dataset.Id, member.Patient, now, cancellationToken);
    }

    /// <summary>The patient a consent is about; for a deleted consent, the one its last stored version named.</summary>
    private static async Task<string?> PatientOfConsentAsync(IFhirStoreSession session, string consentId, CancellationToken cancellationToken)
    {
        var stored = await session.ReadAsync("Consent", consentId, cancellationToken);
        if (stored is { Deleted: true, Version: > 1 })
        {
            stored = await session.ReadVersionAsync("Consent", consentId, stored.Version - 1, cancellationToken);
        }

        if (stored?.Json is not { } json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("patient", out var patient) && patient.ValueKind == JsonValueKind.Object
            && patient.TryGetProperty("reference", out var reference) && reference.ValueKind == JsonValueKind.String
            && ReferenceParser.TryParse(reference.GetString(), out var type, out var id) && type == "Patient"
                ? "Patient/" + id
                : null;
    }
}
