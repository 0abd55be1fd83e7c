namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>A reading type as structured measurements see it: its values in template order.</summary>
internal sealed record MeasurementType(string TypeName, IReadOnlyList<(string Name, bool Required)> Values)
{
    public bool IsComposite => Values.Count > 1;
}

/// <summary>A structured measurement resolved to a reading type and the value it supplies.</summary>
internal readonly record struct MeasurementTarget(MeasurementType Type, string ValueName);

/// <summary>
/// How gRPC structured measurements (<c>type</c>, <c>value</c>, <c>unit</c>, <c>time</c>) find their reading type,
/// using the device-content templates' own names. The first template of a type name in the file defines that type's
/// value names. A measurement's <c>type</c> (case-insensitive) resolves as:
/// <list type="number">
/// <item>a type name whose template has one value: <c>heartrate</c> → heartrate, value <c>hr</c>;</item>
/// <item><c>{type}-{value}</c>, <c>{type}.{value}</c> or <c>{type}_{value}</c> of a type with several values:
///   <c>bloodpressure-systolic</c> → bloodpressure, value <c>systolic</c>;</item>
/// <item>a value name alone, when exactly one type with several values has it: <c>systolic</c> → bloodpressure.</item>
/// </list>
/// Measurements resolving to the same several-value type at the same time form one reading (blood pressure as two
/// measurements sharing a time).
/// </summary>
internal sealed class MeasurementTypeIndex
{
    private readonly Dictionary<string, MeasurementTarget> _targets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, MeasurementType> _types = new(StringComparer.OrdinalIgnoreCase);

    public MeasurementTypeIndex(IEnumerable<ContentTemplate> templates)
    {
        foreach (var template in templates)
        {
            if (template.Values.Count > 0 && !_types.ContainsKey(template.TypeName))
            {
                _types[template.TypeName] = new MeasurementType(template.TypeName, [.. template.Values.Select(v => (v.Name, v.Required))]);
            }
        }

        foreach (var type in _types.Values.Where(t => !t.IsComposite))
        {
            _targets[type.TypeName] = new MeasurementTarget(type, type.Values[0].Name);
        }

        var valueOwners = new Dictionary<string, List<MeasurementType>>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in _types.Values.Where(t => t.IsComposite))
        {
            foreach (var (name, _) in type.Values)
            {
                foreach (var separator in new[] { "-", ".", "_" })
                {
                    _targets.TryAdd(type.TypeName + separator + name, new MeasurementTarget(type, name));
                }

                if (!valueOwners.TryGetValue(name, out var owners))
                {
                    valueOwners[name] = owners = [];
                }

                owners.Add(type);
            }
        }

        foreach (var (name, owners) in valueOwners.Where(o => o.Value.Count == 1))
        {
            _targets.TryAdd(name, new MeasurementTarget(owners[0], owners[0].Values.First(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase)).Name));
        }
    }

    public IEnumerable<MeasurementType> Types => _types.Values;

    public bool TryResolve(string measurementType, out MeasurementTarget target) => _targets.TryGetValue(measurementType, out target);

    /// <summary>A type name with several values sent alone (<c>bloodpressure</c> = 120) cannot say which value it is.</summary>
    public bool IsCompositeTypeName(string measurementType) =>
        _types.TryGetValue(measurementType, out var type) && type.IsComposite;
}
