using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.DeviceContent;

/// <summary>
/// A loaded CollectionContent: every template is evaluated against every event, so one event may yield readings of
/// several types (MedTech: "a single inbound message projected to multiple outbound messages"). Thread-safe.
/// </summary>
internal sealed class DeviceContentTemplateSet
{
    [ThreadStatic]
    private static HashSet<string>? t_names;

    public DeviceContentTemplateSet(IReadOnlyList<ContentTemplate> templates)
    {
        Templates = templates;
        Measurements = new MeasurementTypeIndex(templates);
    }

    public IReadOnlyList<ContentTemplate> Templates { get; }

    /// <summary>The type names and value names structured (gRPC) measurements resolve against.</summary>
    public MeasurementTypeIndex Measurements { get; }

    /// <summary>
    /// Parses a devicecontent.json. Throws <see cref="TemplateLoadException"/> listing every problem unless
    /// <paramref name="allowErrors"/>, in which case the valid templates are kept (as MedTech does) and the problems
    /// are returned.
    /// </summary>
    public static DeviceContentTemplateSet Parse(string json, out IReadOnlyList<string> errors, bool allowErrors = false, string source = "templates")
    {
        (var templates, errors) = ContentTemplateParser.Parse(json);
        return errors.Count > 0 && !allowErrors
            ? throw new TemplateLoadException(source, errors)
            : new DeviceContentTemplateSet(templates);
    }

    /// <summary>
    /// Runs every template over one event (the <c>{Body, Properties, SystemProperties}</c> envelope). A template that
    /// matches but cannot build its reading throws <see cref="ReadingExtractionException"/>.
    /// </summary>
    public List<ExtractedReading> Extract(JObject envelope)
    {
        var names = t_names ??= new HashSet<string>(StringComparer.Ordinal);
        names.Clear();
        PropertyNamePrefilter.CollectNames(envelope, names);

        var readings = new List<ExtractedReading>();
        foreach (var template in Templates)
        {
            if (template.Prefilter?.MightMatch(names) != false)
            {
                template.Extract(envelope, readings);
            }
        }

        return readings;
    }
}
