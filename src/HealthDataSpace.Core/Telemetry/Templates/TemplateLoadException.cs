namespace HealthDataSpace.Core.Telemetry.Templates;

/// <summary>
/// A device-content or FHIR mapping template file that cannot be used. <see cref="Exception.Message"/> lists every
/// problem, each naming the template's index in the collection, its type name when it has one, the field, and the
/// line in the file.
/// </summary>
public sealed class TemplateLoadException : Exception
{
    public TemplateLoadException()
        : this("The telemetry templates are invalid.", [])
    {
    }

    public TemplateLoadException(string message)
        : this(message, [])
    {
    }

    public TemplateLoadException(string message, Exception innerException)
        : base(message, innerException) => Errors = [];

    public TemplateLoadException(string source, IReadOnlyList<string> errors)
        : base($"{source}: {errors.Count} problem(s){Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors)) => Errors = errors;

    /// <summary>One line per problem.</summary>
    public IReadOnlyList<string> Errors { get; }
}
