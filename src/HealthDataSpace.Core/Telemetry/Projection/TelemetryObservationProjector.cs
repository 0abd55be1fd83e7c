using System.Globalization;
using System.Text;
using HealthDataSpace.Core.Fhir;
using HealthDataSpace.Core.Fhir.Store;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Store;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthDataSpace.Core.Telemetry.Projection;

/// <summary>What one projection step did, for logs and metrics (counts only).</summary>
internal sealed record ProjectionStep(int Readings, int ObservationsWritten, int DevicesSkipped, long Checkpoint);

/// <summary>
/// Turns stored readings into FHIR Observations, resumably and exactly once. Readings are taken in store order after
/// the saved checkpoint; each device's readings are mapped by the FHIR destination templates and upserted, found again
/// by their deterministic identifier and folded into what is stored (period groups), all of one device in one FHIR
/// transaction. Every Observation written carries the highest reading sequence it includes (a meta tag), and only
/// readings above it are ever folded into it, so when the gateway stops between writing Observations and saving the
/// checkpoint (or two projectors overlap), the replay skips what was already folded in instead of counting it twice.
/// </summary>
internal sealed class TelemetryObservationProjector(
    ITelemetryStore store,
    IDeviceRegistry registry,
    ITelemetryObservationMapper mapper,
    FhirService fhir,
    IFhirStore fhirStore)
{
    public const string Consumer = "observation-projection";

    /// <summary>The meta tag system whose code is the highest reading sequence folded into the Observation.</summary>
    public const string SequenceTagSystem = "urn:healthdataspace:telemetry-sequence";

    /// <summary>Projects up to <paramref name="maxReadings"/> readings after the checkpoint; 0 readings means caught up.</summary>
    public async Task<ProjectionStep> ProjectNextAsync(int maxReadings, CancellationToken cancellationToken)
    {
        var checkpoint = await store.GetCheckpointAsync(Consumer, cancellationToken);
        var readings = await store.ReadAfterAsync(checkpoint, maxReadings, cancellationToken);
        if (readings.Count == 0)
        {
            return new ProjectionStep(0, 0, 0, checkpoint);
        }

        var high = readings[^1].Sequence;
        var written = 0;
        var skipped = 0;
        foreach (var device in readings.GroupBy(r => r.DeviceId, StringComparer.Ordinal))
        {
            var registration = await registry.FindAsync(device.Key, cancellationToken);
            if (registration?.FhirDeviceId is null)
            {
                // Only registered devices' readings are stored, and registrations are never deleted once they have
                // readings; this is a registration undone mid-way, whose readings cannot be attributed.
                skipped++;
                continue;
            }

            try
            {
                written += await ProjectDeviceAsync(registration, [.. device], cancellationToken);
            }
            catch (FhirException)
            {
                // The FHIR store refuses these Observations for good (the patient was deleted, say). The readings stay
                // queryable in the telemetry store; retrying forever would stop every other device's projection.
                skipped++;
            }
        }

        await store.SetCheckpointAsync(Consumer, high, cancellationToken);
        return new ProjectionStep(readings.Count, written, skipped, high);
    }

    private async Task<int> ProjectDeviceAsync(DeviceRegistration registration, List<StoredReading> readings, CancellationToken cancellationToken)
    {
        var subject = new TelemetrySubject(registration.DeviceId, registration.DeviceReference!, registration.PatientReference);
        var drafts = mapper.Map(subject, [.. readings.Select(r => r.Reading)]);
        if (drafts.Count == 0)
        {
            return 0;
        }

        // Written as the registrant, so the hospital that registered the device reads its Observations like its own data.
        var context = new FhirRequestContext(new AccessScope(registration.Owner, registration.OwnerIsSteward), "urn:healthdataspace:telemetry");
        await using var session = await fhirStore.OpenSessionAsync(forWrite: true, cancellationToken);
        var writer = fhir.Writer(session, context);
        var first = readings[0].Sequence;
        var last = readings[^1].Sequence;
        Dictionary<string, List<StoredReading>>? members = null;
        var count = 0;
        foreach (var mapped in drafts)
        {
            var draft = mapped;
            var criteria = $"identifier={Uri.EscapeDataString(EscapeToken(draft.IdentifierSystem))}|{Uri.EscapeDataString(EscapeToken(draft.IdentifierValue))}";
            var matches = await writer.MatchAsync("Observation", criteria, forWrite: true, cancellationToken);
            var current = matches.Count > 0 ? matches[0] : null;
            var existing = current is null ? null : (Observation)FhirJson.ParseResource(Encoding.UTF8.GetBytes(current.Json!), "Observation");
            var folded = existing is null ? 0 : SequenceOf(existing);
            var stamp = last;
            if (folded >= last)
            {
                continue;
            }

            if (folded >= first)
            {
                // Rare: after a restart this Observation already holds some of these readings (the step read more
                // this time than before the stop). Fold in only the readings above its sequence.
                members ??= MembersByIdentifier(subject, readings);
                var fresh = members.TryGetValue(Key(draft), out var feeding) ? feeding.Where(r => r.Sequence > folded).ToList() : [];
                var partial = fresh.Count == 0 ? null : mapper.Map(subject, [.. fresh.Select(r => r.Reading)]).FirstOrDefault(d => Key(d) == Key(draft));
                if (partial is null)
                {
                    continue;
                }

                draft = partial;
                stamp = fresh.Max(r => r.Sequence);
            }

            var merged = mapper.Merge(existing, draft);
            StampSequence(merged, stamp);
            if (current is null)
            {
                await writer.ResolveReferencesAsync(merged, cancellationToken);
                await writer.WriteAsync(merged, ResourceWriter.NewId(), null, "POST", cancellationToken);
            }
            else
            {
                merged.Id = current.Id;
                await FhirService.UpdateInSessionAsync(writer, "Observation", current.Id, merged, null, cancellationToken);
            }

            count++;
        }

        await session.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>Which readings feed which Observation (a reading may feed several, e.g. a correlation group).</summary>
    private Dictionary<string, List<StoredReading>> MembersByIdentifier(TelemetrySubject subject, List<StoredReading> readings)
    {
        var members = new Dictionary<string, List<StoredReading>>(StringComparer.Ordinal);
        foreach (var reading in readings)
        {
            foreach (var draft in mapper.Map(subject, [reading.Reading]))
            {
                var key = Key(draft);
                if (!members.TryGetValue(key, out var list))
                {
                    members[key] = list = [];
                }

                list.Add(reading);
            }
        }

        return members;
    }

    private static string Key(ObservationDraft draft) => $"{draft.IdentifierSystem}|{draft.IdentifierValue}";

    private static long SequenceOf(Observation observation)
    {
        var tag = observation.Meta?.Tag.FirstOrDefault(t => t.System == SequenceTagSystem);
        return tag is not null && long.TryParse(tag.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0;
    }

    private static void StampSequence(Observation observation, long sequence)
    {
        observation.Meta ??= new Meta();
        observation.Meta.Tag.RemoveAll(t => t.System == SequenceTagSystem);
        observation.Meta.Tag.Add(new Coding(SequenceTagSystem, sequence.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>FHIR search escaping for a token part: the separators <c>\ | , $</c> are data when escaped.</summary>
    private static string EscapeToken(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal);
}
