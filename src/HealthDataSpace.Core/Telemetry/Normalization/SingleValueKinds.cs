using HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

namespace HealthDataSpace.Core.Telemetry.Normalization;

/// <summary>
/// What a structured measurement's type and unit resolve to when the type has one value: the reading type and value
/// name, how the unit converts to the stored unit (null when the unit is not understood for the type) and the
/// plausibility rules of that value.
/// </summary>
internal sealed record SingleValueKind(MeasurementTarget Target, Func<double, double>? Convert, PlausibilityRule[] Rules);

/// <summary>
/// The (type, unit) pairs resolved last on this thread, matched by string reference. The gRPC reader hands out one
/// string instance for a type or unit repeated within a batch, so after the first measurement of its kind the rest of
/// a batch skip four case-insensitive lookups (type, unit table, unit, plausibility rules), which were most of the
/// normaliser's time per reading. The same reference means the same text, so a hit is exactly what the lookups would
/// give; each entry also names the templates and rules it was resolved against, so gateways or tests in one process
/// never see each other's kinds. Use it only within one synchronous method: across an await another thread's memo
/// would be in hand, and two threads could share one.
/// </summary>
internal sealed class SingleValueKinds
{
    /// <summary>Kinds kept: a message of up to this many (type, unit) pairs finds each of them again in its range check.</summary>
    private const int Slots = 8;

    [ThreadStatic]
    private static SingleValueKinds? t_current;

    private readonly Entry[] _entries = new Entry[Slots];
    private int _next;
    private int _lastHit;

    /// <summary>This thread's memo.</summary>
    public static SingleValueKinds Current => t_current ??= new SingleValueKinds();

    /// <summary>
    /// The kind of a measurement of <paramref name="type"/> in <paramref name="unit"/>; null when the type is blank,
    /// unknown or has several values (the general path then decides, with its own reasons).
    /// </summary>
    public SingleValueKind? Resolve(MeasurementTypeIndex index, PlausibilityTable plausibility, string type, string? unit)
    {
        // From the last hit on: a run of one kind (the usual batch) matches at the first comparison.
        for (var n = 0; n < Slots; n++)
        {
            var slot = (_lastHit + n) % Slots;
            if (_entries[slot] is { } entry && ReferenceEquals(entry.Type, type) && ReferenceEquals(entry.Unit, unit)
                && ReferenceEquals(entry.Index, index) && ReferenceEquals(entry.Plausibility, plausibility))
            {
                _lastHit = slot;
                return entry.Kind;
            }
        }

        if (string.IsNullOrWhiteSpace(type) || !index.TryResolve(Trimmed(type), out var target) || target.Type.IsComposite)
        {
            return null;
        }

        var kind = new SingleValueKind(target, MeasurementUnits.ConverterOf(target.Type.TypeName, unit),
            plausibility.RulesFor(target.Type.TypeName, target.ValueName));
        _entries[_next] = new Entry(index, plausibility, type, unit, kind);
        _lastHit = _next;
        _next = (_next + 1) % Slots;
        return kind;
    }

    /// <summary><c>Trim()</c> without a new string when there is nothing to trim (the usual case).</summary>
    private static string Trimmed(string type) =>
        type.Length > 0 && !char.IsWhiteSpace(type[0]) && !char.IsWhiteSpace(type[^1]) ? type : type.Trim();

    private sealed record Entry(MeasurementTypeIndex Index, PlausibilityTable Plausibility, string Type, string? Unit, SingleValueKind Kind);
}
