using System.Data.Common;
using System.Globalization;
using HealthDataSpace.Core.Fhir.Search;
using HealthDataSpace.Core.Telemetry.Devices;
using HealthDataSpace.Core.Telemetry.Store;

namespace HealthDataSpace.Core.Research.Cohorts;

/// <summary>What one pass of the <see cref="TelemetryDaysFeeder"/> did (counts only, for logs).</summary>
/// <param name="Readings">Readings read from the store.</param>
/// <param name="Values">Reading values folded into day aggregates.</param>
/// <param name="UnknownDevice">Readings of a device the registry does not know (not counted).</param>
/// <param name="NotNumbers">Values of a telemetry type that are not finite numbers (not counted).</param>
/// <param name="UnreadableStretches">Runs of consecutive rows the store could not return, stepped over.</param>
internal sealed record TelemetryFeedStep(long Readings, long Values, long UnknownDevice, long NotNumbers, long UnreadableStretches);

/// <summary>
/// Fills the research index's telemetry day aggregates from the telemetry store: every reading once, in sequence
/// order, from sequence 0 when the process starts (the aggregates live in memory only), then whatever was stored since
/// on each <see cref="CatchUpAsync"/>. Each reading is attributed to the patient its device is registered to.
/// <para>
/// Devices: a registration's patient is fixed (there is no re-link), so a device found in the registry is cached for
/// <c>cacheLifetime</c> and then looked up again — a device registered after start-up is simply looked up when its
/// first reading comes, and if a registration were ever changed in the registry its later readings would follow within
/// the lifetime. Readings of a revoked device still count: they were accepted while it was active, and revocation
/// stops new data, not the patient's history (its Observations stay too). A reading whose device the registry does not
/// know (a registration undone, or removed outside the API) cannot be attributed: it is skipped and counted.
/// </para>
/// <para>
/// Bad rows: a value that is not a finite number is skipped and counted; a row the store cannot even return (corrupt
/// stored values) is stepped over, so one bad row stops neither start-up nor the feed. Failures of the database itself
/// propagate (the caller retries from the same place). One caller at a time (the hosted service's loop).
/// </para>
/// </summary>
internal sealed class TelemetryDaysFeeder(ITelemetryStore store, IDeviceRegistry registry, ResearchIndex index, TimeProvider time, TimeSpan cacheLifetime)
{
    /// <summary>Readings per store read (a few MB of readings at most).</summary>
    public const int PageSize = 10_000;

    private readonly Dictionary<string, (string PatientId, long ExpiresAt)> _devices = new(StringComparer.Ordinal);

    /// <summary>The sequence of the last reading taken into account (or stepped over).</summary>
    public long Position { get; private set; }

    /// <summary>Reads every stored reading (from where it stands: sequence 0 at start-up).</summary>
    public Task<TelemetryFeedStep> LoadAsync(CancellationToken cancellationToken) => CatchUpAsync(cancellationToken);

    /// <summary>Folds in every reading stored after <see cref="Position"/>, page by page until none is left.</summary>
    public async Task<TelemetryFeedStep> CatchUpAsync(CancellationToken cancellationToken)
    {
        var step = new Tally();
        while (true)
        {
            IReadOnlyList<StoredReading> page;
            try
            {
                page = await store.ReadAfterAsync(Position, PageSize, cancellationToken);
            }
            catch (Exception error) when (IsUnreadableRow(error))
            {
                await StepOverUnreadableAsync(step, cancellationToken);
                continue;
            }

            if (page.Count == 0)
            {
                break;
            }

            await ApplyAsync(page, step, cancellationToken);
            Position = page[^1].Sequence;
            if (page.Count < PageSize)
            {
                break;
            }
        }

        return new TelemetryFeedStep(step.Readings, step.Values, step.UnknownDevice, step.NotNumbers, step.UnreadableStretches);
    }

    /// <summary>
    /// A page failed on a row the store could not decode: read one row at a time up to it, then find the next readable
    /// position. Probing <c>ReadAfterAsync(x, 1)</c> for x = position + 1, + 2, … is exact: while it fails, every row up
    /// to x is the bad one (or a gap in the sequence), so no good row is ever stepped over.
    /// </summary>
    private async Task StepOverUnreadableAsync(Tally step, CancellationToken cancellationToken)
    {
        for (var read = 0; ; read++)
        {
            IReadOnlyList<StoredReading> one;
            try
            {
                one = await store.ReadAfterAsync(Position, 1, cancellationToken);
            }
            catch (Exception error) when (IsUnreadableRow(error))
            {
                break;
            }

            if (one.Count == 0 || read == PageSize)
            {
                // Nothing is unreadable any more (the row was repaired): back to whole pages.
                return;
            }

            await ApplyAsync(one, step, cancellationToken);
            Position = one[0].Sequence;
        }

        for (var probe = Position + 1; ; probe++)
        {
            try
            {
                await store.ReadAfterAsync(probe, 1, cancellationToken);
            }
            catch (Exception error) when (IsUnreadableRow(error))
            {
                continue;
            }

            Position = probe;
            step.UnreadableStretches++;
            return;
        }
    }

    /// <summary>
    /// A failure to decode a stored row (its values are not the JSON the store writes, a time out of range), as
    /// opposed to a database that cannot be reached: that one must not make the feeder step over good rows.
    /// </summary>
    private static bool IsUnreadableRow(Exception error) =>
        error is not (DbException or IOException or TimeoutException or OperationCanceledException)
        && (error is System.Text.Json.JsonException or FormatException or InvalidCastException or OverflowException or ArgumentException
            || (error is InvalidOperationException && error.Source == "System.Text.Json"));

    private async Task ApplyAsync(IReadOnlyList<StoredReading> readings, Tally step, CancellationToken cancellationToken)
    {
        // Per reading this is hot (it runs beside ingest): a device's patient is looked up once per page, and readings
        // that continue the same (patient, type, day) — a device's readings come in runs — add to a running delta
        // before it goes into the dictionary. (A sum may so differ in its last bit from adding one value at a time.)
        var deltas = new Dictionary<(string Patient, int Type, int Day), TelemetryDayDelta>();
        var patients = new Dictionary<string, string?>(StringComparer.Ordinal);
        TelemetryDayDelta? running = null;
        foreach (var stored in readings)
        {
            step.Readings++;
            var types = TelemetryTypes.OfReading(stored.Reading.Type);
            if (types is null)
            {
                continue;
            }

            if (!patients.TryGetValue(stored.DeviceId, out var patientId))
            {
                patients[stored.DeviceId] = patientId = await PatientOfAsync(stored.DeviceId, cancellationToken);
            }

            if (patientId is null)
            {
                step.UnknownDevice++;
                continue;
            }

            foreach (var value in stored.Reading.Values)
            {
                if (TelemetryTypes.OfValue(types, value.Name) is not { } type)
                {
                    continue;
                }

                if (!double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    step.NotNumbers++;
                    continue;
                }

                var delta = TelemetryDayDelta.Of(patientId, type, stored.Reading.OccurrenceTime, number);
                if (running is { } current && current.Day == delta.Day && current.Type.Index == type.Index && ReferenceEquals(current.PatientId, patientId))
                {
                    running = current.Plus(delta);
                }
                else
                {
                    Fold(deltas, running);
                    running = delta;
                }

                step.Values++;
            }
        }

        Fold(deltas, running);
        if (deltas.Count > 0)
        {
            index.AddTelemetry(deltas.Values);
        }
    }

    private static void Fold(Dictionary<(string Patient, int Type, int Day), TelemetryDayDelta> deltas, TelemetryDayDelta? delta)
    {
        if (delta is { } d)
        {
            var key = (d.PatientId, d.Type.Index, d.Day);
            deltas[key] = deltas.TryGetValue(key, out var held) ? held.Plus(d) : d;
        }
    }

    private async ValueTask<string?> PatientOfAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_devices.TryGetValue(deviceId, out var cached) && now < cached.ExpiresAt)
        {
            return cached.PatientId;
        }

        var registration = await registry.FindAsync(deviceId, cancellationToken);
        if (registration is null
            || !ReferenceParser.TryParse(registration.PatientReference, out var type, out var patientId) || type != "Patient")
        {
            _devices.Remove(deviceId);
            return null;
        }

        _devices[deviceId] = (patientId, now + (long)(cacheLifetime.TotalSeconds * time.TimestampFrequency));
        return patientId;
    }

    private sealed class Tally
    {
        public long Readings;
        public long Values;
        public long UnknownDevice;
        public long NotNumbers;
        public long UnreadableStretches;
    }
}
