namespace HealthDataSpace.Core.Privacy;

/// <summary>
/// Input that is not a FHIR R4 resource in JSON. The message names the structural problem and where it is (line and
/// position within the parsed text), never a value from the input.
/// </summary>
public sealed class FhirParseException : Exception
{
    public FhirParseException(string message, long line, long position)
        : base($"{message} (line {line}, position {position})")
    {
        Problem = message;
        Line = line;
        Position = position;
    }

    public FhirParseException()
    {
        Problem = string.Empty;
    }

    public FhirParseException(string message)
        : base(message)
    {
        Problem = message;
    }

    public FhirParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    public string Problem { get; }

    /// <summary>1-based line within the parsed text.</summary>
    public long Line { get; }

    /// <summary>1-based character position within the line.</summary>
    public long Position { get; }
}
